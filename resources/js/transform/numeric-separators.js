// Numeric separators: 1_000 → 1000 (a syntax error in QJSEngine 6.4).
var NucPasses = NucPasses || {};
NucPasses.numericSeparators = function (ctx) {
    return {
        visit: {
            Literal: function (node) {
                if (typeof node.value === 'number' && node.raw.indexOf('_') >= 0)
                    ctx.edits.replace(node.start, node.end, node.raw.replace(/_/g, ''));
            }
        }
    };
};
