// Optional catch binding: `catch {` → `catch (__nucIgnored) {` (a syntax
// error in QJSEngine 6.4).
var NucPasses = NucPasses || {};
NucPasses.optionalCatch = function (ctx) {
    return {
        visit: {
            CatchClause: function (node) {
                if (!node.param)
                    ctx.edits.insert(node.start + 'catch'.length, ' (__nucIgnored)');
            }
        }
    };
};
