// Down-levels modern driver JavaScript to what QJSEngine 6.4 runs
// correctly, by splicing text over acorn's tree (edits.js). Every original
// line stays on its line. The output uses the helpers of prelude.js
// (__nucAsync, __nucKeep, ...).
//
// Written for QJSEngine 6.4 itself, in sloppy mode on purpose (its defect 1
// drops stores in strict code), ES2015 at most. DriverTransformer loads
// acorn.js, then every file of this folder; they only define things, so
// their load order does not matter: ORDER below decides what runs when.
//
// One pass per feature (NucPasses.<name>, one file each). A pass is made
// per transform and may have:
//   visit[type](node)  run on each node of that type, in source order
//   finish()           run after the walk, for rewrites that need the
//                      whole tree (function bodies, classes)
// and functions other passes call through ctx.passes.<name>.
var NucTransform = (function () {
    // The order handlers of one node and the finish steps run in; it
    // decides which refusal is reported first and, for edits of equal rank
    // at one position, which text comes first. refusals and noEval come
    // first: a node is checked before any pass rewrites it. Passes sharing
    // node types: logicalAssignment and objectRest (assignments); async,
    // tailStores, objectRest and functionBodies (functions). functionBodies
    // finishes before classFields.
    var ORDER = ['refusals', 'noEval', 'numericSeparators', 'optionalCatch', 'privateNames', 'logicalAssignment',
                 'objectSpread', 'async', 'tailStores', 'objectRest', 'boundArrows', 'functionBodies',
                 'classFields'];

    function transform(input) {
        // A #! line would not parse inside the module wrapper: a comment keeps its line.
        var source = input.indexOf('#!') === 0 ? '//' + input.slice(2) : input;
        var ast;
        // QJSEngine 6.4's lexer drops a `/` that follows the word function
        // (keyword or property name; it looks there for a generator's `*`,
        // past spaces and comments), so it reads what follows otherwise
        // than acorn: such code is refused. Tokens are watched only when the
        // text may hold one (a callback per token costs a few ms).
        var slashAfterFunction = -1;
        var options = { ecmaVersion: 2022, sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true };
        if (/function(?:\s|\/\/[^\n\r\u2028\u2029]*|\/\*[\s\S]*?\*\/)*\/(?![*\/])/.test(source)) {
            var previous = null;
            options.onToken = function (token) {
                if (slashAfterFunction < 0 && previous !== null && previous.value === 'function'
                    && (token.value === '/' || token.value === '/=' || token.type.label === 'regexp'))
                    slashAfterFunction = token.start;
                previous = token;
            };
        }
        try {
            // Without `locations`: acorn then tracks no line and column for
            // every token and node (about a sixth of the parse). A refusal
            // asks acorn.getLineInfo for its node's line and column (the
            // same numbers), as a syntax error gets them anyway.
            ast = acorn.parse(source, options);
        } catch (e) {
            var loc = e.loc || { line: 0, column: 0 };
            return { ok: false, kind: 'syntax', message: String(e.message).replace(/ \(\d+:\d+\)$/, ''),
                     line: loc.line, column: loc.column + 1 };
        }

        if (slashAfterFunction >= 0) {
            var at = acorn.getLineInfo(source, slashAfterFunction);
            return { ok: false, kind: 'unsupported',
                     message: "a '/' right after the word function, which QJSEngine 6.4 drops",
                     line: at.line, column: at.column + 1 };
        }

        var tmp = 0;
        var ctx = {
            edits: new NucEdits.EditBuffer(source),
            passes: {},
            serial: function () { return tmp++; }   // names of made-up methods and parameters
        };
        var byType = {};
        var finish = [];
        ORDER.forEach(function (name) {
            var pass = NucPasses[name](ctx);
            ctx.passes[name] = pass;
            if (pass.finish)
                finish.push(pass.finish);
            for (var type in pass.visit) {
                if (!byType[type])
                    byType[type] = [];
                byType[type].push(pass.visit[type]);
            }
        });

        try {
            NucAst.walk(ast, null, function (node) {
                var handlers = byType[node.type];
                if (handlers) {
                    for (var j = 0; j < handlers.length; j++)
                        handlers[j](node);
                }
            });
            for (var f = 0; f < finish.length; f++)
                finish[f]();
        } catch (e) {
            if (e instanceof NucAst.Refusal) {
                var l = acorn.getLineInfo(source, e.node.start);
                return { ok: false, kind: 'unsupported', message: e.construct,
                         line: l.line, column: l.column + 1 };
            }
            throw e;
        }
        return ctx.edits.apply();
    }

    return { transform: transform };
})();
