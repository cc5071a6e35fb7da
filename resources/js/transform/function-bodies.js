// What several passes add to one function, written here because they share
// its braces and an arrow's `=>`: the super accessor and the generator
// wrapper of an async function (async.js), the binding of an arrow
// (bound-arrows.js) and the `let` of destructured parameters
// (object-rest.js). An arrow that needs any of them gets a block body:
//   async (a) => x        → (a) => __nucAsync(this, [], function* () { return x; })
//   bound, async: a => x  → __nucBind(function (a) { return __nucAsync(this, arguments, function* () { return x; }); }, this)
var NucPasses = NucPasses || {};
NucPasses.functionBodies = function (ctx) {
    var edits = ctx.edits;
    var Rank = NucEdits.Rank;
    var NODE = NucEdits.Layer.NODE;
    var functions = [];

    function arrowToken(fn) {
        var from = fn.params.length ? fn.params[fn.params.length - 1].end : fn.start;
        return edits.findToken(from, '=>', fn.body.start);
    }

    function rewrite(fn) {
        var lets = ctx.passes.objectRest.lets(fn);
        var bind = ctx.passes.boundArrows.needsBinding(fn);
        if (fn.type !== 'ArrowFunctionExpression') {
            var bodyOpen = fn.body.start + 1;
            if (ctx.passes.async.superAccessor(fn))
                edits.insert(bodyOpen, 'const __nucSuper = (n) => super[n]; ', Rank.SUPER_ACCESSOR);
            if (fn.async) {
                edits.insert(bodyOpen, ' return __nucAsync(this, arguments, function* () {', Rank.ASYNC_OPEN);
                edits.insert(fn.body.end - 1, '}); ', Rank.ASYNC_CLOSE);
            }
            if (lets)
                edits.insert(bodyOpen, ' ' + lets, Rank.PARAM_LETS);
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
        var head;
        var tail;
        if (bind) {
            edits.insert(paramsStart, '__nucBind(function ' + (parenthesised ? '' : '('), edits.opening(fn, NucEdits.Layer.INNER));
            head = (parenthesised ? '' : ')') + ' {';
            tail = '}, this)';
            if (fn.async) {
                head += ' return __nucAsync(this, arguments, function* () {';
                tail = '}); ' + tail;
            }
        } else if (fn.async) {
            // The enclosing function's arguments, when the arrow uses them.
            var args = NucAst.uses(fn.body, NucAst.isArguments) ? 'arguments' : '[]';
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

    return {
        visit: { FunctionDeclaration: collect, FunctionExpression: collect, ArrowFunctionExpression: collect },
        finish: function () {
            for (var i = 0; i < functions.length; i++)
                rewrite(functions[i]);
        }
    };
};
