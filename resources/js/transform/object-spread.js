// Object spread (a syntax error in QJSEngine 6.4):
//   {a, ...b, c} → Object.assign({}, {a,  }, b, {c})
var NucPasses = NucPasses || {};
NucPasses.objectSpread = function (ctx) {
    var edits = ctx.edits;
    var Layer = NucEdits.Layer;

    function rewrite(node) {
        var spread = false;
        for (var i = 0; i < node.properties.length; i++) {
            if (node.properties[i].type === 'SpreadElement')
                spread = true;
        }
        if (!spread)
            return;
        edits.before(node, 'Object.assign({}, ', Layer.REWRITE);
        var props = node.properties;
        for (var j = 0; j < props.length; j++) {
            var prop = props[j];
            if (prop.type !== 'SpreadElement')
                continue;
            // `...` alone: the argument may be parenthesised, `...(a && b)`
            edits.replace(prop.start, prop.start + 3, '}, ');
            edits.after(prop, ', {', Layer.INNER);
            var comma = edits.findToken(prop.end, ',', j + 1 < props.length ? props[j + 1].start : node.end);
            if (comma >= 0)
                edits.replace(comma, comma + 1, ' ');
        }
        edits.after(node, ')', Layer.REWRITE);
    }

    return { visit: { ObjectExpression: rewrite } };
};
