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

    // Sets __parent on every node; calls visit(node) in source order.
    function walk(node, parent, visit) {
        node.__parent = parent;
        visit(node);
        var keys = Object.keys(node);
        for (var k = 0; k < keys.length; k++) {
            var key = keys[k];
            if (key === '__parent' || key === 'loc')
                continue;
            var value = node[key];
            if (Array.isArray(value)) {
                for (var i = 0; i < value.length; i++) {
                    if (isNode(value[i]))
                        walk(value[i], node, visit);
                }
            } else if (isNode(value)) {
                walk(value, node, visit);
            }
        }
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
        function scan(node, top) {
            if (found)
                return;
            if (!top && (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression'
                         || node.type === 'PropertyDefinition' || node.type === 'StaticBlock'))
                return;
            if (predicate(node)) {
                found = true;
                return;
            }
            var keys = Object.keys(node);
            for (var k = 0; k < keys.length; k++) {
                if (keys[k] === '__parent' || keys[k] === 'loc')
                    continue;
                var value = node[keys[k]];
                if (Array.isArray(value)) {
                    for (var i = 0; i < value.length; i++) {
                        if (isNode(value[i]))
                            scan(value[i], false);
                    }
                } else if (isNode(value)) {
                    scan(value, false);
                }
            }
        }
        scan(root, true);
        return found;
    }

    return {
        Refusal: Refusal, walk: walk, isFunction: isFunction, isArguments: isArguments,
        ownerFunction: ownerFunction, insideAsync: insideAsync, isDerivedConstructor: isDerivedConstructor,
        uses: uses
    };
})();
