// QJSEngine 6.4 defect 1 (docs/drivers.md): in strict code a store whose
// value is returned can be lost. Wrapping it in a call keeps it:
//   return o.x = this.g();  → return __nucKeep(o.x = this.g());
// also through ?:, ||, ?? and comma, and in an arrow's expression body.
var NucPasses = NucPasses || {};
NucPasses.tailStores = function (ctx) {
    var edits = ctx.edits;

    function keep(expr) {
        if (expr.type === 'AssignmentExpression' && expr.operator !== '??=' && expr.operator !== '||='
            && expr.operator !== '&&=') {
            // (logical assignments keep their store themselves)
            edits.before(expr, '__nucKeep(', NucEdits.Layer.TAIL_STORE);
            edits.after(expr, ')', NucEdits.Layer.TAIL_STORE);
        } else if (expr.type === 'ConditionalExpression') {
            keep(expr.consequent);
            keep(expr.alternate);
        } else if (expr.type === 'LogicalExpression') {
            keep(expr.right);
        } else if (expr.type === 'SequenceExpression') {
            keep(expr.expressions[expr.expressions.length - 1]);
        }
    }

    return {
        visit: {
            ReturnStatement: function (node) {
                if (node.argument)
                    keep(node.argument);
            },
            ArrowFunctionExpression: function (node) {
                if (node.expression)
                    keep(node.body);
            }
        }
    };
};
