// Logical assignment (??= ||= &&=, a syntax error in QJSEngine 6.4):
//   a ??= b    → __nucKeep(a ?? __nucKeep(a = b))
//   o[k] ??= v → __nucKeep(function (__nucO, __nucK) { return __nucO[__nucK] ?? __nucKeep(__nucO[__nucK] = v); }.call(this, o, k))
// The second form evaluates the object and the key once, before v. __nucKeep around the store
// works around defect 1.
var NucPasses = NucPasses || {};
NucPasses.logicalAssignment = function (ctx) {
    var edits = ctx.edits;
    var Refusal = NucAst.Refusal;
    var uses = NucAst.uses;
    var REWRITE = NucEdits.Layer.REWRITE;

    function rewrite(node) {
        var op = node.operator;
        if (op !== '??=' && op !== '||=' && op !== '&&=')
            return;
        var logical = op.slice(0, 2);
        var left = node.left;
        var opPos = edits.findToken(left.end, op, node.right.start);
        var simple = left.type === 'Identifier'
            || (left.type === 'MemberExpression' && !left.computed
                && (left.object.type === 'Identifier' || left.object.type === 'ThisExpression'));
        if (simple) {
            // The target is written twice; a #private one is read and
            // written through its name (private-names.js rewrites the read).
            edits.before(node, '__nucKeep(', REWRITE);
            if (left.type === 'MemberExpression' && left.property.type === 'PrivateIdentifier') {
                var priv = ctx.passes.privateNames.name(left.property, node);
                edits.replace(opPos, opPos + op.length, logical + ' __nucKeep(' + priv + '.set('
                              + edits.oneLine(left.object, 'a logical assignment target') + ',');
                edits.after(node, ')))', REWRITE);
            } else {
                edits.replace(opPos, opPos + op.length, logical + ' __nucKeep(' + edits.oneLine(left, 'a logical assignment target') + ' =');
                edits.after(node, '))', REWRITE);
            }
            return;
        }
        if (uses(node.right, function (n) { return n.type === 'AwaitExpression' || n.type === 'YieldExpression'; }))
            throw new Refusal('a logical assignment (' + op + ') to a computed target with await on its right', node);
        if (left.type !== 'MemberExpression')
            throw new Refusal('a logical assignment (' + op + ') to this target', node);
        if (uses(node.right, function (n) { return NucAst.isArguments(n) || n.type === 'Super'; }))
            throw new Refusal('a logical assignment (' + op + ') to a computed target with arguments or super on its right', node);
        if (left.property.type === 'PrivateIdentifier')   // its renaming would overlap the rewrite
            throw new Refusal('a logical assignment (' + op + ') to a #private field of anything but this or a variable', node);
        if (edits.hasEditsInside(left))
            throw new Refusal('a logical assignment (' + op + ') whose target needs rewriting itself', node);
        var objectText = edits.oneLine(left.object, 'a logical assignment target');
        // The key too is evaluated once, before the right side.
        var prop = left.computed ? '[__nucK]' : '.' + left.property.name;
        var args = left.computed ? objectText + ', ' + edits.oneLine(left.property, 'a logical assignment target') : objectText;
        // A function, not an arrow: an arrow here could meet defect 2.
        edits.replace(node.start, opPos + op.length, '__nucKeep(function (__nucO' + (left.computed ? ', __nucK' : '')
                      + ') { return __nucO' + prop + ' ' + logical + ' __nucKeep(__nucO' + prop + ' =');
        edits.after(node, '); }.call(this, ' + args + '))', REWRITE);
    }

    return { visit: { AssignmentExpression: rewrite } };
};
