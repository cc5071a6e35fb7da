// Down-levels modern driver JavaScript to what QJSEngine 6.4 runs correctly,
// by splicing text over acorn's AST. Every original line stays on its line:
// inserted text never contains a newline, removed text keeps its newlines.
// Uses the helpers of prelude.js (__nucAsync, __nucKeep, ...).
//
// Written for QJSEngine 6.4 itself, in sloppy mode on purpose (its defect 1
// drops stores in strict code), ES2015 at most.
var NucTransform = (function () {
    var VERSION = '1';

    function Refusal(construct, node, detail) {
        this.construct = construct;
        this.node = node;
        this.detail = detail || '';
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

    function enclosingFunction(node) {
        var p = node.__parent;
        while (p && !isFunction(p))
            p = p.__parent;
        return p;
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

    // Does `root` (not counting nested non-arrow functions) contain a node of `type`?
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

    function transform(input) {
        // A #! line would not parse inside the module wrapper: a comment keeps its line.
        var source = input.indexOf('#!') === 0 ? '//' + input.slice(2) : input;
        var ast;
        try {
            ast = acorn.parse(source, {
                ecmaVersion: 2022, sourceType: 'script', locations: true,
                allowReturnOutsideFunction: true, allowHashBang: true
            });
        } catch (e) {
            var loc = e.loc || { line: 0, column: 0 };
            return { ok: false, kind: 'syntax', message: String(e.message).replace(/ \(\d+:\d+\)$/, ''),
                     line: loc.line, column: loc.column + 1 };
        }

        var edits = [];
        var serial = 0;
        function text(node) {
            return source.slice(node.start, node.end);
        }
        function insert(pos, str, priority) {
            edits.push({ start: pos, end: pos, text: str, priority: priority || 0, seq: serial++ });
        }
        function replace(start, end, str) {
            // Keep the newlines of what is replaced (lines must not move).
            var removed = source.slice(start, end);
            var newlines = removed.replace(/[^\n]/g, '');
            edits.push({ start: start, end: end, text: str + newlines, priority: 0, seq: serial++ });
        }
        function blank(start, end) {
            replace(start, end, '');
        }
        // Text around a node. At one position, what wraps an outer node stays
        // outside what wraps an inner one; `outer` orders wrappers of the
        // same node (larger: further out).
        function depth(node) {
            var d = 0;
            for (var p = node.__parent; p; p = p.__parent)
                d++;
            return d;
        }
        function wrap(node, before, after, outer) {
            var d = depth(node) * 10;
            if (before)
                insert(node.start, before, -d + (outer || 0));
            if (after)
                insert(node.end, after, d - (outer || 0));
        }
        var BODY_FIRST = 100000;
        // The first position at or after `pos` that is not space or a comment.
        function nextToken(pos) {
            var i = pos;
            for (;;) {
                while (i < source.length && /\s/.test(source.charAt(i)))
                    i++;
                if (source.substr(i, 2) === '//') {
                    i = source.indexOf('\n', i);
                    if (i < 0)
                        return source.length;
                } else if (source.substr(i, 2) === '/*') {
                    i = source.indexOf('*/', i) + 2;
                } else {
                    return i;
                }
            }
        }
        function oneLine(node, what) {
            var t = text(node);
            if (t.indexOf('//') >= 0 || t.indexOf('/*') >= 0)
                throw new Refusal(what + ' with a comment inside', node);
            return t.replace(/\s*\n\s*/g, ' ');
        }
        // Position of `token` at or after `from`, skipping whitespace and comments.
        function findToken(from, token, limit) {
            var i = from;
            var end = limit === undefined ? source.length : limit;
            while (i < end) {
                var c = source.charAt(i);
                if (source.substr(i, token.length) === token)
                    return i;
                if (c === '/' && source.charAt(i + 1) === '/') {
                    i = source.indexOf('\n', i);
                    if (i < 0)
                        return -1;
                } else if (c === '/' && source.charAt(i + 1) === '*') {
                    i = source.indexOf('*/', i) + 2;
                    if (i < 2)
                        return -1;
                } else {
                    i++;
                }
            }
            return -1;
        }

        var asyncFns = [];
        var classes = [];
        var superNeeded = [];     // methods that need __nucSuper
        var tmp = 0;

        function checkRefusals(node) {
            if (isFunction(node) && node.async && node.generator) {
                var holder = node.__parent;
                var at = holder && holder.value === node && (holder.type === 'MethodDefinition' || holder.type === 'Property')
                    ? holder : node;
                throw new Refusal('async generator functions', at);
            }
            if (node.type === 'ForOfStatement' && node.await)
                throw new Refusal('for await', node);
            if (node.type === 'Literal' && node.bigint !== undefined)
                throw new Refusal('BigInt literals', node);
            if (node.type === 'ImportExpression')
                throw new Refusal('import()', node);
            if (node.type === 'MetaProperty' && node.meta && node.meta.name === 'import')
                throw new Refusal('import.meta', node);
            if (node.type === 'Literal' && node.regex) {
                var pattern = node.regex.pattern;
                var flags = node.regex.flags;
                if (flags.indexOf('s') >= 0)
                    throw new Refusal('the regular expression flag s (dotAll), which QJSEngine 6.4 rejects', node);
                if (flags.indexOf('d') >= 0)
                    throw new Refusal('the regular expression flag d (indices)', node);
                if (/\(\?<[=!]/.test(pattern))
                    throw new Refusal('regular expression lookbehind, which never matches in QJSEngine 6.4', node);
                if (/\(\?<[A-Za-z_$]/.test(pattern) || /\\k</.test(pattern))
                    throw new Refusal('regular expression named groups, whose .groups is undefined in QJSEngine 6.4', node);
            }
            if (node.type === 'PropertyDefinition' && node.computed)
                throw new Refusal('class fields with a computed name', node);
        }

        function visit(node) {
            checkRefusals(node);
            switch (node.type) {
            case 'Literal':
                if (typeof node.value === 'number' && node.raw.indexOf('_') >= 0)
                    replace(node.start, node.end, node.raw.replace(/_/g, ''));
                break;
            case 'CatchClause':
                if (!node.param)
                    insert(node.start + 'catch'.length, ' (__nucIgnored)');
                break;
            case 'PrivateIdentifier':
                if (!(node.__parent.type === 'PropertyDefinition' && node.__parent.key === node))
                    replace(node.start, node.end, privateName(node));
                break;
            case 'BinaryExpression':
                if (node.left.type === 'PrivateIdentifier' && node.operator === 'in')
                    wrap(node.left, '"', '"', 9);   // `#x in obj`: a property name test (renamed by its own visit)
                break;
            case 'AssignmentExpression':
                logicalAssignment(node);
                if (node.left.type === 'ObjectPattern' && hasRest(node.left))
                    restAssignment(node);
                break;
            case 'ObjectExpression':
                objectSpread(node);
                break;
            case 'VariableDeclarator':
                if (node.id.type === 'ObjectPattern' && hasRest(node.id) && declaratorWithRest(node))
                    restDeclarator(node);
                break;
            case 'ClassDeclaration':
            case 'ClassExpression':
                classes.push(node);
                break;
            case 'AwaitExpression':
                // An identifier first: code without semicolons must not
                // read `(yield …)` as a call on the previous line.
                replace(node.start, node.start + 'await'.length, '__nucKeep(yield');
                wrap(node, null, ')', 0);
                break;
            case 'ObjectPattern':
                if (hasRest(node) && !restHandled(node))
                    throw new Refusal('object rest (...) in this position (nested, in a loop head or a catch clause)', node);
                break;
            case 'ReturnStatement':
                if (node.argument)
                    keepTailStores(node.argument);
                break;
            case 'Super':
                superInAsync(node);
                break;
            default:
                break;
            }
            if (isFunction(node)) {
                if (node.async)
                    asyncFns.push(node);
                if (node.type === 'ArrowFunctionExpression' && node.expression)
                    keepTailStores(node.body);
                restParams(node);
            }
        }

        // #name → __nucPriv<class>_name: one name per declaring class, so a
        // subclass's #x does not overwrite its base class's #x.
        var classSerial = 0;
        function privateName(identifier) {
            for (var p = identifier.__parent; p; p = p.__parent) {
                if (p.type !== 'ClassDeclaration' && p.type !== 'ClassExpression')
                    continue;
                if (!p.__privates) {
                    p.__privates = {};
                    p.body.body.forEach(function (m) {
                        if (m.key && m.key.type === 'PrivateIdentifier')
                            p.__privates[m.key.name] = true;
                    });
                    p.__serial = ++classSerial;
                }
                if (p.__privates[identifier.name])
                    return '__nucPriv' + p.__serial + '_' + identifier.name;
            }
            throw new Refusal('a #private name outside the class that declares it', identifier);
        }
        function hasEditsInside(node) {
            for (var i = 0; i < edits.length; i++) {
                if (edits[i].start >= node.start && edits[i].end <= node.end)
                    return true;
            }
            return false;
        }

        function isArguments(n) {
            return n.type === 'Identifier' && n.name === 'arguments';
        }

        function hasRest(pattern) {
            for (var i = 0; i < pattern.properties.length; i++) {
                if (pattern.properties[i].type === 'RestElement')
                    return true;
            }
            return false;
        }
        function declaratorWithRest(decl) {
            var loop = decl.__parent.__parent;
            return decl.init !== null && !(loop && (loop.type === 'ForOfStatement' || loop.type === 'ForInStatement'));
        }
        function restHandled(pattern) {
            var p = pattern.__parent;
            if (p.type === 'VariableDeclarator' && p.id === pattern)
                return declaratorWithRest(p);
            if (p.type === 'AssignmentExpression' && p.left === pattern)
                return true;
            if (isFunction(p) && p.params.indexOf(pattern) >= 0)
                return true;
            if (p.type === 'AssignmentPattern' && p.left === pattern && isFunction(p.__parent)
                && p.__parent.params.indexOf(p) >= 0)
                return true;
            return false;
        }
        // The parts of an object pattern with a `...rest`: the other
        // properties' keys (and, one-line, their text) and the rest's name.
        function restParts(pattern, withText) {
            var keys = [];
            var parts = [];
            var rest = null;
            for (var i = 0; i < pattern.properties.length; i++) {
                var prop = pattern.properties[i];
                if (prop.type === 'RestElement') {
                    rest = prop;
                    continue;
                }
                if (prop.computed)
                    throw new Refusal('object rest (...) next to a computed key', prop);
                keys.push(prop.key.type === 'Identifier' ? prop.key.name : String(prop.key.value));
                if (withText)
                    parts.push(oneLine(prop, 'a destructured parameter'));
            }
            if (rest.argument.type !== 'Identifier')
                throw new Refusal('object rest (...) into a pattern', rest);
            return { rest: rest, name: rest.argument.name, keys: keys, pattern: '{ ' + parts.join(', ') + ' }' };
        }
        // Removes `...rest` from an object pattern in place; returns {name, keys}.
        function stripRest(pattern) {
            var info = restParts(pattern, false);
            blank(info.rest.start, info.rest.end);
            return info;
        }
        function keyList(keys) {
            return '[' + keys.map(function (k) { return JSON.stringify(k); }).join(', ') + ']';
        }

        function restDeclarator(decl) {
            var info = stripRest(decl.id);
            // From after `=` to the declarator's end: the initialiser may be parenthesised.
            var eq = findToken(decl.id.end, '=', decl.init.start);
            insert(eq + 1, ' __nucPush(', -depth(decl) * 10 - 5);
            insert(decl.end, '), ' + info.name + ' = __nucPopRest(' + keyList(info.keys) + ')', depth(decl) * 10 - 5);
        }

        function restAssignment(node) {
            var statement = node.__parent;
            if (statement.type !== 'ExpressionStatement')
                throw new Refusal('object rest (...) in an assignment that is not a statement of its own', node);
            var info = stripRest(node.left);
            var eq = findToken(node.left.end, '=', node.right.start);
            insert(eq + 1, ' __nucPush(', -depth(node) * 10 - 5);
            insert(node.end, '), ' + info.name + ' = __nucPopRest(' + keyList(info.keys) + ')', depth(node) * 10 - 5);
        }

        var paramLets = [];   // {fn, text}
        function restParams(fn) {
            for (var i = 0; i < fn.params.length; i++) {
                var param = fn.params[i];
                var pattern = param.type === 'AssignmentPattern' ? param.left : param;
                if (pattern.type !== 'ObjectPattern' || !hasRest(pattern))
                    continue;
                var name = '__nucP' + (tmp++);
                var info = restParts(pattern, true);   // the pattern is replaced as a whole
                if (/#|\b\d[\d_]*_\d|\?\?=|\|\|=|&&=|\bawait\b|\basync\b|=>|\.\.\./.test(info.pattern))
                    throw new Refusal('a parameter with object rest (...) whose other parts need rewriting too', pattern);
                replace(pattern.start, pattern.end, name);
                paramLets.push({ fn: fn, text: 'let ' + info.pattern + ' = __nucPush(' + name + '), ' + info.name
                                 + ' = __nucPopRest(' + keyList(info.keys) + ');' });
            }
        }
        function objectSpread(node) {
            var spread = false;
            for (var i = 0; i < node.properties.length; i++) {
                if (node.properties[i].type === 'SpreadElement')
                    spread = true;
            }
            if (!spread)
                return;
            // {a, ...b, c} → Object.assign({}, {a, }, b, {c})
            wrap(node, 'Object.assign({}, ', null, 1);
            var props = node.properties;
            for (var j = 0; j < props.length; j++) {
                var prop = props[j];
                if (prop.type !== 'SpreadElement')
                    continue;
                // `...` alone: the argument may be parenthesised, `...(a && b)`
                replace(prop.start, prop.start + 3, '}, ');
                insert(prop.end, ', {', depth(prop) * 10 - 5);
                var comma = findToken(prop.end, ',', j + 1 < props.length ? props[j + 1].start : node.end);
                if (comma >= 0)
                    replace(comma, comma + 1, ' ');
            }
            wrap(node, null, ')', 1);
        }

        function logicalAssignment(node) {
            var op = node.operator;
            if (op !== '??=' && op !== '||=' && op !== '&&=')
                return;
            var logical = op.slice(0, 2);
            var left = node.left;
            var opPos = findToken(left.end, op, node.right.start);
            var simple = left.type === 'Identifier'
                || (left.type === 'MemberExpression' && !left.computed
                    && (left.object.type === 'Identifier' || left.object.type === 'ThisExpression'));
            if (simple) {
                // a ??= b → (a ?? __nucKeep(a = b))
                var target = oneLine(left, 'a logical assignment target').replace(/#([A-Za-z_$][\w$]*)/g, '__nucPriv_$1');
                wrap(node, '__nucKeep(', '))', 1);
                replace(opPos, opPos + op.length, logical + ' __nucKeep(' + target + ' =');
                return;
            }
            if (uses(node.right, function (n) { return n.type === 'AwaitExpression' || n.type === 'YieldExpression'; }))
                throw new Refusal('a logical assignment (' + op + ') to a computed target with await on its right', node);
            if (left.type !== 'MemberExpression')
                throw new Refusal('a logical assignment (' + op + ') to this target', node);
            // o.p ??= v → ((__o) => __o.p ?? __nucKeep(__o.p = v))(o)  (object evaluated once)
            if (uses(node.right, function (n) { return isArguments(n) || n.type === 'Super'; }))
                throw new Refusal('a logical assignment (' + op + ') to a computed target with arguments or super on its right', node);
            if (hasEditsInside(left))
                throw new Refusal('a logical assignment (' + op + ') whose target needs rewriting itself', node);
            var objectText = oneLine(left.object, 'a logical assignment target');
            var prop = left.computed ? '[' + oneLine(left.property, 'a logical assignment target') + ']'
                : '.' + (left.property.type === 'PrivateIdentifier' ? privateName(left.property) : left.property.name);
            // A function, not an arrow: an arrow here could meet defect 2.
            replace(node.start, opPos + op.length,
                    '__nucKeep(function (__nucO) { return __nucO' + prop + ' ' + logical + ' __nucKeep(__nucO' + prop + ' =');
            wrap(node, null, '); }.call(this, ' + objectText + '))', 1);
        }

        // Defect 1: a store whose value is returned can be lost in strict
        // code; wrapping it in a call keeps it.
        function keepTailStores(expr) {
            if (expr.type === 'AssignmentExpression' && expr.operator !== '??=' && expr.operator !== '||='
                && expr.operator !== '&&=') {
                wrap(expr, '__nucKeep(', ')', 6);
            } else if (expr.type === 'ConditionalExpression') {
                keepTailStores(expr.consequent);
                keepTailStores(expr.alternate);
            } else if (expr.type === 'LogicalExpression') {
                keepTailStores(expr.right);
            } else if (expr.type === 'SequenceExpression') {
                keepTailStores(expr.expressions[expr.expressions.length - 1]);
            }
        }

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

        // super inside code that becomes a generator: through __nucSuper(name),
        // defined in the method where super is valid.
        function superInAsync(node) {
            if (!insideAsync(node))
                return;
            var member = node.__parent;
            if (member.type !== 'MemberExpression' || member.object !== node)
                throw new Refusal('super() or super in this form inside an async function', node);
            var method = ownerFunction(node);
            if (!method || method.type !== 'FunctionExpression' || method.__parent.type !== 'MethodDefinition')
                throw new Refusal('super inside an async function that is not a class method', node);
            if (method.__parent.kind === 'constructor')
                throw new Refusal('super inside an async arrow in a constructor', node);
            if (superNeeded.indexOf(method) < 0)
                superNeeded.push(method);
            var call = member.__parent;
            var name = member.computed ? null : JSON.stringify(member.property.name);
            if (call.type === 'CallExpression' && call.callee === member) {
                // super.m(a) → __nucSuper("m").call(this, a)
                if (name)
                    replace(member.start, member.end, '__nucSuper(' + name + ').call');
                else {
                    replace(node.start, member.property.start, '__nucSuper(');
                    replace(member.property.end, member.end, ').call');
                }
                var open = findToken(member.end, '(', call.end);
                insert(open + 1, call.arguments.length ? 'this, ' : 'this', BODY_FIRST);
            } else if (call.type === 'AssignmentExpression' && call.left === member) {
                throw new Refusal('assigning to super.x inside an async function', node);
            } else if (name) {
                replace(member.start, member.end, '__nucSuper(' + name + ')');
            } else {
                replace(node.start, member.property.start, '__nucSuper(');
                replace(member.property.end, member.end, ')');
            }
        }

        function arrowToken(fn) {
            var from = fn.params.length ? fn.params[fn.params.length - 1].end : fn.start;
            return findToken(from, '=>', fn.body.start);
        }

        // Defect 2: an arrow using `this` made inside a derived-class
        // constructor throws when it runs. Such arrows become bound functions.
        function insideSuperCall(node) {
            for (var p = node.__parent; p && !(p.type === 'FunctionExpression' || p.type === 'FunctionDeclaration'); p = p.__parent) {
                if (p.type === 'CallExpression' && p.callee.type === 'Super')
                    return true;
            }
            return false;
        }
        function needsBinding(fn) {
            if (fn.type !== 'ArrowFunctionExpression')
                return false;
            if (!isDerivedConstructor(ownerFunction(fn)))
                return false;
            // An async arrow gets `this` from its rewrite even when it does not use it.
            if (!fn.async && !uses(fn.body, function (n) { return n.type === 'ThisExpression'; }))
                return false;
            if (insideSuperCall(fn))
                throw new Refusal('an arrow using this (or an async arrow) in the arguments of super(...)', fn);
            if (uses(fn.body, isArguments))
                throw new Refusal('an arrow using both this and arguments inside a derived-class constructor', fn);
            if (uses(fn.body, function (n) { return n.type === 'Super'; }))
                throw new Refusal('an arrow using super inside a derived-class constructor', fn);
            return true;
        }

        function rewriteFunction(fn) {
            var lets = paramLets.filter(function (p) { return p.fn === fn; }).map(function (p) { return p.text; }).join(' ');
            var bind = needsBinding(fn);
            var arrow = fn.type === 'ArrowFunctionExpression';
            if (fn.async) {
                // Remove `async` (for methods it stands before the key).
                var asyncStart = fn.start;
                var holder = fn.__parent;
                if (holder.value === fn && (holder.type === 'MethodDefinition'
                                            || (holder.type === 'Property' && (holder.method || holder.kind !== 'init'))))
                    asyncStart = findToken(holder.start, 'async', holder.key.start);
                if (asyncStart >= 0 && source.substr(asyncStart, 5) === 'async')
                    blank(asyncStart, asyncStart + 5);
            }
            var superDef = superNeeded.indexOf(fn) >= 0 ? 'const __nucSuper = (n) => super[n]; ' : '';
            if (!arrow) {
                var bodyOpen = fn.body.start + 1;
                if (superDef)
                    insert(bodyOpen, superDef, BODY_FIRST + 30);
                if (fn.async) {
                    insert(bodyOpen, ' return __nucAsync(this, arguments, function* () {', BODY_FIRST + 20);
                    insert(fn.body.end - 1, '}); ', -BODY_FIRST);
                }
                if (lets)
                    insert(bodyOpen, ' ' + lets, BODY_FIRST + 10);
                return;
            }
            // Arrows.
            var token = arrowToken(fn);
            var paramsStart = fn.start;
            if (fn.async) {
                paramsStart = fn.start + 5;
                while (/\s/.test(source.charAt(paramsStart)))
                    paramsStart++;
            }
            var parenthesised = source.charAt(paramsStart) === '(';
            var head;
            var tail;
            if (bind) {
                insert(paramsStart, '__nucBind(function ' + (parenthesised ? '' : '('), -depth(fn) * 10 - 5);
                head = (parenthesised ? '' : ')') + ' {';
                tail = '}, this)';
                if (fn.async) {
                    head += ' return __nucAsync(this, arguments, function* () {';
                    tail = '}); ' + tail;
                }
            } else if (fn.async) {
                // The enclosing function's arguments, when the arrow uses them.
                var args = uses(fn.body, isArguments) ? 'arguments' : '[]';
                head = '=> __nucAsync(this, ' + args + ', function* () {';
                tail = '})';
            } else if (lets) {
                head = '=> {';
                tail = '}';
            } else {
                return;
            }
            if (lets)
                head += ' ' + lets;
            replace(token, token + 2, head);
            if (fn.expression) {
                // `return` where the body starts: a body on the next line stays returned
                insert(nextToken(token + 2), 'return ', -depth(fn) * 10);
                wrap(fn, null, '; ' + tail, 0);
            } else {
                // a block body's own braces become a nested block: fine
                wrap(fn, null, ' ' + tail, 0);
            }
        }

        function rewriteClass(cls) {
            var body = cls.body.body;
            var instanceInits = [];
            var staticInits = [];
            var ctor = null;
            for (var i = 0; i < body.length; i++) {
                var member = body[i];
                if (member.type === 'MethodDefinition' && member.kind === 'constructor')
                    ctor = member;
                if (member.type === 'PropertyDefinition') {
                    var isPrivate = member.key.type === 'PrivateIdentifier';
                    var name = isPrivate ? privateName(member.key)
                        : (member.key.type === 'Identifier' ? member.key.name : String(member.key.value));
                    var method = (member.static ? '__nucStatic_' : '__nucField_') + (tmp++);
                    var define = isPrivate ? '__nucDefineHidden' : '__nucDefine';
                    var keyEnd = member.key.end;
                    if (member.value) {
                        // up to the `=`: the value may be parenthesised
                        var eqPos = findToken(member.key.end, '=', member.value.start);
                        replace(member.key.start, eqPos + 1, method + '() { return (');
                        wrap(member, null, '); }', 0);   // ends where the value ends (or at its `;`)
                    } else {
                        replace(member.key.start, keyEnd, method + '() { return undefined; }');
                    }
                    // the `;` after the field (part of the node)
                    var semi = member.value ? member.value.end : keyEnd;
                    var s = findToken(semi, ';', member.end);
                    if (s >= 0)
                        replace(s, s + 1, ' ');
                    var target = member.static ? '__nucC' : 'this';
                    var init = define + '(' + target + ', ' + JSON.stringify(name) + ', ' + target + '.' + method + '());';
                    if (member.static)
                        staticInits.push(init);
                    else
                        instanceInits.push(init);
                }
                if (member.type === 'StaticBlock') {
                    var blockName = '__nucStaticBlock_' + (tmp++);
                    replace(member.start, findToken(member.start + 6, '{') + 1, 'static ' + blockName + '() {');
                    staticInits.push('__nucC.' + blockName + '();');
                }
            }
            if (instanceInits.length) {
                var inits = ' ' + instanceInits.join(' ');
                if (ctor) {
                    var ctorBody = ctor.value.body;
                    if (cls.superClass) {
                        var after = -1;
                        for (var j = 0; j < ctorBody.body.length; j++) {
                            var st = ctorBody.body[j];
                            if (st.type === 'ExpressionStatement' && st.expression.type === 'CallExpression'
                                && st.expression.callee.type === 'Super') {
                                after = st.end;
                                break;
                            }
                        }
                        if (after < 0)
                            throw new Refusal('class fields in a class whose constructor calls super() inside another statement', ctor);
                        insert(after, inits, 15);
                    } else {
                        insert(ctorBody.start + 1, inits, 5);
                    }
                } else if (cls.superClass) {
                    insert(cls.body.start + 1, ' constructor(...__nucArgs) { super(...__nucArgs);' + inits + ' }', 15);
                } else {
                    insert(cls.body.start + 1, ' constructor() {' + inits + ' }', 15);
                }
            }
            if (staticInits.length) {
                var statics = staticInits.join(' ');
                if (cls.type === 'ClassDeclaration') {
                    insert(cls.end, ' (function (__nucC) { ' + statics + ' })(' + cls.id.name + ');', -10);
                } else {
                    wrap(cls, '__nucClass(', ', function (__nucC) { ' + statics + ' })', 0);
                }
            }
        }

        try {
            walk(ast, null, visit);
            var fns = [];
            walk(ast, null, function (n) {
                if (isFunction(n))
                    fns.push(n);
            });
            for (var f = 0; f < fns.length; f++)
                rewriteFunction(fns[f]);
            for (var c = 0; c < classes.length; c++)
                rewriteClass(classes[c]);
        } catch (e) {
            if (e instanceof Refusal) {
                var l = e.node.loc.start;
                return { ok: false, kind: 'unsupported', message: e.construct,
                         line: l.line, column: l.column + 1 };
            }
            throw e;
        }

        if (!edits.length)
            return { ok: true, code: source, changed: source !== input };
        // Apply from the end; at one position, higher priority first in the text.
        edits.sort(function (a, b) {
            if (a.start !== b.start)
                return b.start - a.start;
            if (a.end !== b.end)
                return b.end - a.end;
            if (a.priority !== b.priority)
                return a.priority - b.priority;
            return b.seq - a.seq;
        });
        // The sorted list applied from the end would put, at one position,
        // the last applied leftmost: reversed, it reads left to right.
        edits.reverse();
        var parts = [];
        var pos = 0;
        for (var k = 0; k < edits.length; k++) {
            var edit = edits[k];
            if (edit.start < pos) {
                var where = acorn.getLineInfo(source, edit.start);
                return { ok: false, kind: 'unsupported',
                         message: 'this combination of constructs in one expression (please split it)',
                         line: where.line, column: where.column + 1 };
            }
            parts.push(source.slice(pos, edit.start), edit.text);
            pos = edit.end;
        }
        parts.push(source.slice(pos));
        var out = parts.join('');
        return { ok: true, code: out, changed: true };
    }

    return { transform: transform, version: VERSION };
})();
