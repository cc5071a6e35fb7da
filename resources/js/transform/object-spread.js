// Object spread (a syntax error in QJSEngine 6.4). Each spread copies into
// the object built so far when it is evaluated, by __nucSpread (prelude.js),
// which defines (never assigns) the source's own enumerable properties,
// Symbol keys included; the literal parts after a spread are copied with
// their descriptors (a getter stays a getter):
//   {a, ...b, c, ...d} → __nucSpread(__nucSpread(__nucSpread({a, }, b), {c, }, 1), d)
var NucPasses = NucPasses || {};
NucPasses.objectSpread = function (ctx) {
    var edits = ctx.edits;
    var Layer = NucEdits.Layer;

    function rewrite(node) {
        var props = node.properties;
        var calls = 0;
        var state = 'first';   // in the literal the object starts with; 'spread' after one; 'literal' in a later run
        for (var j = 0; j < props.length; j++) {
            var prop = props[j];
            if (prop.type !== 'SpreadElement') {
                if (state === 'spread') {
                    edits.before(prop, '{', Layer.INNER);
                    state = 'literal';
                    calls++;
                }
                continue;
            }
            calls++;
            // `...` alone: the argument may be parenthesised, `...(a && b)`
            edits.replace(prop.start, prop.start + 3, state === 'first' ? '}, ' : state === 'literal' ? '}, 1), ' : '');
            edits.after(prop, ')', Layer.INNER);
            state = 'spread';
            var comma = edits.findToken(prop.end, ',', j + 1 < props.length ? props[j + 1].start : node.end);
            if (comma >= 0 && j + 1 === props.length)
                edits.blank(comma, comma + 1);   // a trailing comma would end up in the call
        }
        if (!calls)
            return;
        edits.before(node, new Array(calls + 1).join('__nucSpread('), Layer.REWRITE);
        edits.replace(node.end - 1, node.end, state === 'literal' ? '}, 1)' : '');
    }

    return { visit: { ObjectExpression: rewrite } };
};
