// #private names become ordinary property names, one per declaring class:
// #name → __nucPriv<class>_name, so a subclass's #x does not overwrite its
// base class's #x. class-fields.js defines them hidden (not enumerable).
var NucPasses = NucPasses || {};
NucPasses.privateNames = function (ctx) {
    var edits = ctx.edits;
    var classSerial = 0;

    // `from`: where to start looking for the class, for an identifier the
    // walk has not reached yet (its __parent is not set).
    function name(identifier, from) {
        for (var p = from || identifier.__parent; p; p = p.__parent) {
            if (p.type !== 'ClassDeclaration' && p.type !== 'ClassExpression')
                continue;
            if (!p.__privates) {
                p.__privates = {};
                p.body.body.forEach(function (m) {
                    if (m.key && m.key.type === 'PrivateIdentifier')
                        p.__privates[m.key.name] = true;
                });
                p.__serial = ++classSerial;
            }
            if (p.__privates[identifier.name])
                return '__nucPriv' + p.__serial + '_' + identifier.name;
        }
        throw new NucAst.Refusal('a #private name outside the class that declares it', identifier);
    }

    return {
        name: name,
        visit: {
            PrivateIdentifier: function (node) {
                // A field's own key is renamed with its declaration (class-fields.js).
                if (!(node.__parent.type === 'PropertyDefinition' && node.__parent.key === node))
                    edits.replace(node.start, node.end, name(node));
            },
            BinaryExpression: function (node) {
                // `#x in obj`: a property name test (the name renamed by its own visit)
                if (node.left.type === 'PrivateIdentifier' && node.operator === 'in') {
                    edits.before(node.left, '"', NucEdits.Layer.PRIVATE_IN);
                    edits.after(node.left, '"', NucEdits.Layer.PRIVATE_IN);
                }
            }
        }
    };
};
