// Object rest in a pattern (a syntax error in QJSEngine 6.4). The value is
// parked with __nucPush and the rest taken with __nucPopRest (prelude.js):
//   const {a, ...r} = v;   → const {a, } = __nucPush(v), r = __nucPopRest(["a"]);
//   ({a, ...r} = v);       → ({a, } = __nucPush(v), r = __nucPopRest(["a"]));
//   function f({a, ...r})  → function f(__nucP0) { let { a } = __nucPush(__nucP0), r = __nucPopRest(["a"]); …
// (the parameter's `let` is placed by function-bodies.js). Elsewhere
// (nested, loop heads, catch clauses) it is refused.
var NucPasses = NucPasses || {};
NucPasses.objectRest = function (ctx) {
    var edits = ctx.edits;
    var Refusal = NucAst.Refusal;
    var INNER = NucEdits.Layer.INNER;
    var paramLets = [];   // {fn, text}

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
        if (NucAst.isFunction(p) && p.params.indexOf(pattern) >= 0)
            return true;
        if (p.type === 'AssignmentPattern' && p.left === pattern && NucAst.isFunction(p.__parent)
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
                parts.push(edits.oneLine(prop, 'a destructured parameter'));
        }
        if (rest.argument.type !== 'Identifier')
            throw new Refusal('object rest (...) into a pattern', rest);
        return { rest: rest, name: rest.argument.name, keys: keys, pattern: '{ ' + parts.join(', ') + ' }' };
    }
    function keyList(keys) {
        return '[' + keys.map(function (k) { return JSON.stringify(k); }).join(', ') + ']';
    }
    // `node` is a declarator or an assignment: its pattern loses `...rest`,
    // its value is parked, the rest declared or assigned after it.
    function parkValue(node, pattern, value) {
        var info = restParts(pattern, false);
        edits.blank(info.rest.start, info.rest.end);
        // From after `=` to the node's end: the value may be parenthesised.
        var eq = edits.findToken(pattern.end, '=', value.start);
        edits.insert(eq + 1, ' __nucPush(', edits.opening(node, INNER));
        edits.insert(node.end, '), ' + info.name + ' = __nucPopRest(' + keyList(info.keys) + ')', edits.closing(node, INNER));
    }

    function params(fn) {
        for (var i = 0; i < fn.params.length; i++) {
            var param = fn.params[i];
            var pattern = param.type === 'AssignmentPattern' ? param.left : param;
            if (pattern.type !== 'ObjectPattern' || !hasRest(pattern))
                continue;
            var name = '__nucP' + ctx.serial();
            var info = restParts(pattern, true);   // the pattern is replaced as a whole
            if (/#|\b\d[\d_]*_\d|\?\?=|\|\|=|&&=|\bawait\b|\basync\b|=>|\.\.\./.test(info.pattern))
                throw new Refusal('a parameter with object rest (...) whose other parts need rewriting too', pattern);
            edits.replace(pattern.start, pattern.end, name);
            paramLets.push({ fn: fn, text: 'let ' + info.pattern + ' = __nucPush(' + name + '), ' + info.name
                             + ' = __nucPopRest(' + keyList(info.keys) + ');' });
        }
    }

    return {
        // The `let` statements that declare fn's destructured parameters ('' if none).
        lets: function (fn) {
            return paramLets.filter(function (p) { return p.fn === fn; }).map(function (p) { return p.text; }).join(' ');
        },
        visit: {
            AssignmentExpression: function (node) {
                if (node.left.type !== 'ObjectPattern' || !hasRest(node.left))
                    return;
                if (node.__parent.type !== 'ExpressionStatement')
                    throw new Refusal('object rest (...) in an assignment that is not a statement of its own', node);
                parkValue(node, node.left, node.right);
            },
            VariableDeclarator: function (node) {
                if (node.id.type === 'ObjectPattern' && hasRest(node.id) && declaratorWithRest(node))
                    parkValue(node, node.id, node.init);
            },
            ObjectPattern: function (node) {
                if (hasRest(node) && !restHandled(node))
                    throw new Refusal('object rest (...) in this position (nested, in a loop head or a catch clause)', node);
            },
            FunctionDeclaration: params,
            FunctionExpression: params,
            ArrowFunctionExpression: params
        }
    };
};
