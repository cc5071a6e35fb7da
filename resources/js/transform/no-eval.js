// eval and the Function constructor: refused with their line and column. A
// driver has no use for code made from strings, and QJSEngine 6.4's eval
// differs from Node's in ways no transform can fix (scoping of direct eval,
// #private names inside it). Refused: any use of the name `eval` (a call,
// `(0, eval)(…)`, passing it around), `globalThis.eval` and the like, and
// calling `Function(…)`/`new Function(…)` directly or through a global.
// What no parse can see (`f.constructor('…')`) is stopped at run time by
// the prelude (resources/js/prelude.js).
var NucPasses = NucPasses || {};
NucPasses.noEval = function (ctx) {
    var Refusal = NucAst.Refusal;
    var globalNames = ['globalThis', 'global', 'window', 'self'];

    function isName(node, name) {
        return node.type === 'Identifier' && node.name === name;
    }

    // `X.name` or `X['name']` on the global object.
    function isGlobalMember(node, name) {
        if (node.type !== 'MemberExpression' || node.object.type !== 'Identifier'
                || globalNames.indexOf(node.object.name) < 0)
            return false;
        return node.computed ? node.property.type === 'Literal' && node.property.value === name
                             : isName(node.property, name);
    }

    // An identifier that names a variable, not a property or label.
    function isReference(node) {
        var p = node.__parent;
        if (!p)
            return true;
        if ((p.type === 'MemberExpression' && p.property === node && !p.computed)
                || ((p.type === 'Property' || p.type === 'MethodDefinition' || p.type === 'PropertyDefinition')
                    && p.key === node && !p.computed)
                || ((p.type === 'LabeledStatement' || p.type === 'BreakStatement' || p.type === 'ContinueStatement')
                    && p.label === node))
            return false;
        // A shorthand { eval } reads the variable: its value node comes next.
        return true;
    }

    function functionConstructor(node) {
        if (isName(node.callee, 'Function') || isGlobalMember(node.callee, 'Function'))
            throw new Refusal('the Function constructor', node);
    }

    return {
        visit: {
            Identifier: function (node) {
                if (node.name === 'eval' && isReference(node))
                    throw new Refusal('eval', node);
            },
            MemberExpression: function (node) {
                if (isGlobalMember(node, 'eval'))
                    throw new Refusal('eval', node);
            },
            CallExpression: functionConstructor,
            NewExpression: functionConstructor
        }
    };
};
