// The transformer's view of acorn's tree: a parent link on every node and
// the questions the passes ask about where a node sits.
// (Sloppy mode, ES2015 at most, like every file of the transformer:
// QJSEngine 6.4 drops stores in strict code, defect 1.)
var NucAst = (function () {
    // Thrown by a pass for a construct it cannot down-level; reported with
    // the node's line and column.
    function Refusal(construct, node) {
        this.construct = construct;
        this.node = node;
    }

    function isNode(value) {
        return value !== null && typeof value === 'object' && typeof value.type === 'string';
    }

    // The keys under which acorn (ecmaVersion 2022, scripts) keeps a
    // node's children, in the order it sets them, which is the order
    // Object.keys gives: walking these keys visits the same nodes in the
    // same order as walking every key, without reading the keys that never
    // hold a node (type, start, end, name, operator, ...). That was
    // most of the walk's time (docs/performance.md). A type not listed here
    // (ParenthesizedExpression, the module-only ones) is walked through
    // Object.keys. tst_transform::childKeysMatchAcorn checks the table
    // against acorn's nodes.
    var CHILD_KEYS = {
        Program: ['body'], ExpressionStatement: ['expression'], BlockStatement: ['body'],
        EmptyStatement: [], DebuggerStatement: [], WithStatement: ['object', 'body'],
        ReturnStatement: ['argument'], LabeledStatement: ['body', 'label'],
        BreakStatement: ['label'], ContinueStatement: ['label'],
        IfStatement: ['test', 'consequent', 'alternate'],
        SwitchStatement: ['discriminant', 'cases'], SwitchCase: ['consequent', 'test'],
        ThrowStatement: ['argument'], TryStatement: ['block', 'handler', 'finalizer'],
        CatchClause: ['param', 'body'], WhileStatement: ['test', 'body'], DoWhileStatement: ['body', 'test'],
        ForStatement: ['init', 'test', 'update', 'body'], ForInStatement: ['left', 'right', 'body'],
        ForOfStatement: ['left', 'right', 'body'],
        FunctionDeclaration: ['id', 'params', 'body'], FunctionExpression: ['id', 'params', 'body'],
        ArrowFunctionExpression: ['id', 'params', 'body'],
        VariableDeclaration: ['declarations'], VariableDeclarator: ['id', 'init'],
        ClassDeclaration: ['id', 'superClass', 'body'], ClassExpression: ['id', 'superClass', 'body'],
        ClassBody: ['body'], MethodDefinition: ['key', 'value'], PropertyDefinition: ['key', 'value'],
        StaticBlock: ['body'],
        Identifier: [], PrivateIdentifier: [], Literal: [], ThisExpression: [], Super: [],
        ArrayExpression: ['elements'], ObjectExpression: ['properties'], Property: ['key', 'value'],
        SpreadElement: ['argument'], UnaryExpression: ['argument'], UpdateExpression: ['argument'],
        BinaryExpression: ['left', 'right'], LogicalExpression: ['left', 'right'],
        AssignmentExpression: ['left', 'right'], ConditionalExpression: ['test', 'consequent', 'alternate'],
        CallExpression: ['callee', 'arguments'], NewExpression: ['callee', 'arguments'],
        MemberExpression: ['object', 'property'], ChainExpression: ['expression'],
        SequenceExpression: ['expressions'], YieldExpression: ['argument'], AwaitExpression: ['argument'],
        TemplateLiteral: ['expressions', 'quasis'], TaggedTemplateExpression: ['tag', 'quasi'],
        TemplateElement: [], MetaProperty: ['meta', 'property'], ImportExpression: ['source'],
        ObjectPattern: ['properties'], ArrayPattern: ['elements'], RestElement: ['argument'],
        AssignmentPattern: ['left', 'right']
    };

    // The keys of `node` that may hold children, in Object.keys order.
    function childKeys(node) {
        var keys = CHILD_KEYS[node.type];
        if (keys !== undefined)
            return keys;
        return Object.keys(node).filter(function (key) { return key !== '__parent'; });
    }

    // Calls each(child, node, extra) for every child of `node`, in source
    // order.
    function eachChild(node, each, extra) {
        var keys = childKeys(node);
        for (var k = 0; k < keys.length; k++) {
            var value = node[keys[k]];
            if (Array.isArray(value)) {
                for (var i = 0; i < value.length; i++) {
                    if (isNode(value[i]))
                        each(value[i], node, extra);
                }
            } else if (isNode(value)) {
                each(value, node, extra);
            }
        }
    }

    // Sets __parent on every node; calls visit(node) in source order.
    function walk(node, parent, visit) {
        node.__parent = parent;
        visit(node);
        eachChild(node, walk, visit);
    }

    function isFunction(node) {
        return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression'
            || node.type === 'ArrowFunctionExpression';
    }

    function isArguments(node) {
        return node.type === 'Identifier' && node.name === 'arguments';
    }

    // The nearest enclosing function that is not an arrow (or null).
    function ownerFunction(node) {
        var p = node.__parent;
        while (p) {
            if (p.type === 'FunctionDeclaration' || p.type === 'FunctionExpression')
                return p;
            if (p.type === 'PropertyDefinition' || p.type === 'StaticBlock')
                return p;   // field initialisers and static blocks have their own this
            p = p.__parent;
        }
        return null;
    }

    // The async function (arrows included) whose body holds `node`, up to
    // the nearest non-arrow function; or null.
    function insideAsync(node) {
        var p = node.__parent;
        while (p) {
            if (isFunction(p) && p.async)
                return p;
            if (p.type === 'FunctionDeclaration' || p.type === 'FunctionExpression')
                return null;
            p = p.__parent;
        }
        return null;
    }

    function isDerivedConstructor(fn) {
        if (!fn || fn.type !== 'FunctionExpression')
            return false;
        var method = fn.__parent;
        if (!method || method.type !== 'MethodDefinition' || method.kind !== 'constructor')
            return false;
        var cls = method.__parent.__parent;   // ClassBody → Class
        return !!(cls && cls.superClass);
    }

    // Does `root` (not counting nested non-arrow functions, field
    // initialisers and static blocks) contain a node matching `predicate`?
    function uses(root, predicate) {
        var found = false;
        function scan(node, parent, top) {
            if (found)
                return;
            if (!top && (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression'
                         || node.type === 'PropertyDefinition' || node.type === 'StaticBlock'))
                return;
            if (predicate(node)) {
                found = true;
                return;
            }
            eachChild(node, scan, false);
        }
        scan(root, null, true);
        return found;
    }

    return {
        Refusal: Refusal, walk: walk, isFunction: isFunction, isArguments: isArguments,
        ownerFunction: ownerFunction, insideAsync: insideAsync, isDerivedConstructor: isDerivedConstructor,
        uses: uses, eachChild: eachChild, childKeys: CHILD_KEYS
    };
})();
