// What several passes add to one function, written here because they share
// its braces and an arrow's `=>`: the super accessor and the generator
// wrapper of an async function (async.js), the binding of an arrow
// (bound-arrows.js) and the `let` of destructured parameters
// (object-rest.js).
//
// An async function's parameters become the generator's: the text from its
// `(` on is left in place and a new head is written before it, so a
// throwing default or destructuring rejects the call's promise (it runs
// inside __nucAsync) and sloppy `arguments` stays mapped to the parameters.
// The new head has as many parameters as the function's `length`:
//   async function f(a, b = 1) { … } → function f(__nucL0) { return __nucAsync(this, arguments, function* (a, b = 1) { … }); }
//   async (a) => x                  → (__nucL0, ...__nucArgs) => __nucAsync(this, [__nucL0].concat(__nucArgs), function* (a) { return x; })
//   bound, async: a => x            → __nucBind(function (__nucL0) { return __nucAsync(this, arguments, function* (a) { return x; }); }, this)
// An async arrow that uses `arguments` (the enclosing function's) keeps
// its parameters and hands that very object to the generator, whose own
// `arguments` would be a copy:
//   async (a) => arguments[0]       → (a) => __nucAsync(this, [arguments], function* (__nucArguments) { return __nucArguments[0]; })
var NucPasses = NucPasses || {};
NucPasses.functionBodies = function (ctx) {
    var edits = ctx.edits;
    var Rank = NucEdits.Rank;
    var NODE = NucEdits.Layer.NODE;
    var INNER = NucEdits.Layer.INNER;
    var functions = [];

    function arrowToken(fn) {
        var from = fn.params.length ? fn.params[fn.params.length - 1].end : fn.start;
        return edits.findToken(from, '=>', fn.body.start);
    }

    // `__nucL0, __nucL1`: one name per parameter counted by `length`.
    function lengthParams(fn) {
        var names = [];
        for (var i = 0; i < fn.params.length; i++) {
            var t = fn.params[i].type;
            if (t === 'AssignmentPattern' || t === 'RestElement')
                break;
            names.push('__nucL' + i);
        }
        return names;
    }

    function asyncFunction(fn, lets) {
        var open = edits.findToken(fn.id ? fn.id.end : fn.start, '(', fn.body.start);
        var superAccessor = ctx.passes.async.superAccessor(fn) ? 'const __nucSuper = (n) => super[n]; ' : '';
        edits.insert(open, '(' + lengthParams(fn).join(', ') + ') { ' + superAccessor
                     + 'return __nucAsync(this, arguments, function* ', edits.opening(fn, INNER));
        edits.after(fn, '); }', INNER);
        if (lets)
            edits.insert(fn.body.start + 1, ' ' + lets, Rank.PARAM_LETS);
    }

    function rewrite(fn) {
        var lets = ctx.passes.objectRest.lets(fn);
        var bind = ctx.passes.boundArrows.needsBinding(fn);
        if (fn.type !== 'ArrowFunctionExpression') {
            if (fn.async)
                return asyncFunction(fn, lets);
            if (ctx.passes.async.superAccessor(fn))
                edits.insert(fn.body.start + 1, 'const __nucSuper = (n) => super[n]; ', Rank.SUPER_ACCESSOR);
            if (lets)
                edits.insert(fn.body.start + 1, ' ' + lets, Rank.PARAM_LETS);
            return;
        }
        var token = arrowToken(fn);
        var paramsStart = fn.start;
        if (fn.async) {
            paramsStart = fn.start + 5;
            while (/\s/.test(edits.source.charAt(paramsStart)))
                paramsStart++;
        }
        var parenthesised = edits.source.charAt(paramsStart) === '(';
        var ownArguments = fn.async && !bind && NucAst.uses(fn, NucAst.isArguments);
        var head;
        var tail;
        if (fn.async && !ownArguments) {
            // The parameters move into the generator's head.
            var names = lengthParams(fn);
            var start = bind
                ? '__nucBind(function (' + names.join(', ') + ') { return __nucAsync(this, arguments, function* '
                : (names.length ? '(' + names.join(', ') + ', ...__nucArgs) => __nucAsync(this, [' + names.join(', ')
                                  + '].concat(__nucArgs), function* '
                                : '(...__nucArgs) => __nucAsync(this, __nucArgs, function* ');
            edits.insert(paramsStart, start + (parenthesised ? '' : '('), edits.opening(fn, INNER));
            head = (parenthesised ? '' : ')') + ' {';
            tail = bind ? '}); }, this)' : '})';
        } else if (bind) {
            edits.insert(paramsStart, '__nucBind(function ' + (parenthesised ? '' : '('), edits.opening(fn, INNER));
            head = (parenthesised ? '' : ')') + ' {';
            tail = '}, this)';
        } else if (fn.async) {
            head = '=> __nucAsync(this, [' + (inAsyncArrowBody(fn) ? '__nucArguments' : 'arguments')
                + '], function* (__nucArguments) {';
            tail = '})';
        } else if (lets) {
            head = '=> {';
            tail = '}';
        } else {
            return;
        }
        if (lets)
            head += ' ' + lets;
        edits.replace(token, token + 2, head);
        if (fn.expression) {
            // `return` where the body starts: a body on the next line stays returned
            edits.insert(edits.nextToken(token + 2), 'return ', edits.opening(fn, NODE));
            edits.after(fn, '; ' + tail, NODE);
        } else {
            // a block body's own braces become a nested block: fine
            edits.after(fn, ' ' + tail, NODE);
        }
    }

    function collect(fn) {
        functions.push(fn);
    }

    // Is `node` in the body of an async arrow, not in a function of its
    // own? There `arguments` is the generator's __nucArguments.
    function inAsyncArrowBody(node) {
        for (var child = node, p = node.__parent; p; child = p, p = p.__parent) {
            if (p.type === 'ArrowFunctionExpression' && p.async && child === p.body)
                return true;
            if (p.type === 'FunctionDeclaration' || p.type === 'FunctionExpression'
                || p.type === 'PropertyDefinition' || p.type === 'StaticBlock')
                return false;
        }
        return false;
    }

    // `arguments` as a variable (not a property name or a label).
    function argumentsReference(node) {
        if (node.name !== 'arguments' || !inAsyncArrowBody(node))
            return;
        var p = node.__parent;
        if ((p.type === 'MemberExpression' && p.property === node && !p.computed)
            || ((p.type === 'Property' || p.type === 'MethodDefinition' || p.type === 'PropertyDefinition')
                && p.key === node && !p.computed && !p.shorthand)
            || ((p.type === 'LabeledStatement' || p.type === 'BreakStatement' || p.type === 'ContinueStatement')
                && p.label === node)
            || (p.type === 'Property' && p.shorthand && p.key === node && p.value !== node))
            return;
        edits.replace(node.start, node.end, p.type === 'Property' && p.shorthand ? 'arguments: __nucArguments' : '__nucArguments');
    }

    return {
        visit: { FunctionDeclaration: collect, FunctionExpression: collect, ArrowFunctionExpression: collect,
                 Identifier: argumentsReference },
        finish: function () {
            for (var i = 0; i < functions.length; i++)
                rewrite(functions[i]);
        }
    };
};
