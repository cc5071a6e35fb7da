// QJSEngine 6.4 defect 2 (docs/drivers.md): an arrow using `this` made
// inside a derived-class constructor throws when it runs. Such arrows
// become bound functions (function-bodies.js writes them):
//   d => this.onData(d)  → __nucBind(function (d) { return this.onData(d); }, this)
var NucPasses = NucPasses || {};
NucPasses.boundArrows = function (ctx) {
    var Refusal = NucAst.Refusal;
    var uses = NucAst.uses;

    function insideSuperCall(node) {
        for (var p = node.__parent; p && !(p.type === 'FunctionExpression' || p.type === 'FunctionDeclaration'); p = p.__parent) {
            if (p.type === 'CallExpression' && p.callee.type === 'Super')
                return true;
        }
        return false;
    }

    return {
        // Must arrow `fn` become a bound function? Refuses the arrows that
        // cannot.
        needsBinding: function (fn) {
            if (fn.type !== 'ArrowFunctionExpression')
                return false;
            if (!NucAst.isDerivedConstructor(NucAst.ownerFunction(fn)))
                return false;
            // An async arrow gets `this` from its rewrite even when it does not use it.
            if (!fn.async && !uses(fn.body, function (n) { return n.type === 'ThisExpression'; }))
                return false;
            if (insideSuperCall(fn))
                throw new Refusal('an arrow using this (or an async arrow) in the arguments of super(...)', fn);
            if (uses(fn.body, NucAst.isArguments))
                throw new Refusal('an arrow using both this and arguments inside a derived-class constructor', fn);
            if (uses(fn.body, function (n) { return n.type === 'Super'; }))
                throw new Refusal('an arrow using super inside a derived-class constructor', fn);
            return true;
        }
    };
};
