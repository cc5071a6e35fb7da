// Class fields, #private fields and static blocks (syntax errors in
// QJSEngine 6.4). Each initialiser becomes a method, so `this` and the
// scope stay those of the class; the constructor (made up if there is
// none) defines the instance fields, a function after the class the static
// ones:
//   class A { x = 1; static y = 2; }
//   → class A { constructor() { __nucDefine(this, "x", this.__nucField_0()); } __nucField_0() { return ( 1); }
//       static __nucStatic_1() { return ( 2); } } (function (__nucC) { __nucDefine(__nucC, "y", __nucC.__nucStatic_1()); })(A);
// A #private field is initialised through its name's __nucPrivate
// (private-names.js), which also adds the brands and private methods here.
var NucPasses = NucPasses || {};
NucPasses.classFields = function (ctx) {
    var edits = ctx.edits;
    var Rank = NucEdits.Rank;
    var NODE = NucEdits.Layer.NODE;
    var classes = [];

    // A class with a static `name` of its own keeps it.
    function anonymousFunction(value) {
        if (value.type === 'ArrowFunctionExpression' || (value.type === 'FunctionExpression' && !value.id))
            return true;
        return value.type === 'ClassExpression' && !value.id && !value.body.body.some(function (m) {
            return m.static && !m.computed && m.key && (m.key.name === 'name' || m.key.value === 'name');
        });
    }

    // Turns the field into a method; returns the statement that defines it.
    function field(member) {
        var isPrivate = member.key.type === 'PrivateIdentifier';
        var name = isPrivate ? ctx.passes.privateNames.name(member.key)
            : (member.key.type === 'Identifier' ? member.key.name : String(member.key.value));
        var method = (member.static ? '__nucStatic_' : '__nucField_') + ctx.serial();
        var keyEnd = member.key.end;
        if (member.value) {
            // up to the `=`: the value may be parenthesised
            var eqPos = edits.findToken(member.key.end, '=', member.value.start);
            // An anonymous function gets the field's name, as it would from
            // `x = function () {}` (the method's return does not name it).
            var naming = anonymousFunction(member.value);
            edits.replace(member.key.start, eqPos + 1, method + '() { return ' + (naming ? '__nucName((' : '('));
            edits.after(member, naming ? '), ' + JSON.stringify(isPrivate ? '#' + member.key.name : name) + '); }' : '); }',
                        NODE);   // ends where the value ends (or at its `;`)
        } else {
            edits.replace(member.key.start, keyEnd, method + '() { return undefined; }');
        }
        // the `;` after the field (part of the node)
        var semi = member.value ? member.value.end : keyEnd;
        var s = edits.findToken(semi, ';', member.end);
        if (s >= 0)
            edits.replace(s, s + 1, ' ');
        var target = member.static ? '__nucC' : 'this';
        if (isPrivate)
            return name + '.init(' + target + ', ' + target + '.' + method + '());';
        return '__nucDefine(' + target + ', ' + JSON.stringify(name) + ', ' + target + '.' + method + '());';
    }

    // Where the instance fields are defined: after super(...) or at the
    // start of the constructor, or in a made-up one.
    function defineInstanceFields(cls, ctor, inits) {
        if (!ctor) {
            var made = cls.superClass ? ' constructor(...__nucArgs) { super(...__nucArgs);' + inits + ' }'
                : ' constructor() {' + inits + ' }';
            edits.insert(cls.body.start + 1, made, Rank.MADE_UP_CONSTRUCTOR);
            return;
        }
        var ctorBody = ctor.value.body;
        if (!cls.superClass) {
            edits.insert(ctorBody.start + 1, inits, Rank.FIELDS_AT_START);
            return;
        }
        for (var j = 0; j < ctorBody.body.length; j++) {
            var st = ctorBody.body[j];
            if (st.type === 'ExpressionStatement' && st.expression.type === 'CallExpression'
                && st.expression.callee.type === 'Super') {
                edits.insert(st.end, inits, Rank.FIELDS_AFTER_SUPER);
                return;
            }
        }
        throw new NucAst.Refusal('class fields in a class whose constructor calls super() inside another statement', ctor);
    }

    function rewrite(cls) {
        var body = cls.body.body;
        var instanceInits = ctx.passes.privateNames.instanceSetup(cls);
        var staticInits = ctx.passes.privateNames.staticSetup(cls);
        var ctor = null;
        for (var i = 0; i < body.length; i++) {
            var member = body[i];
            if (member.type === 'MethodDefinition' && member.kind === 'constructor')
                ctor = member;
            if (member.type === 'PropertyDefinition')
                (member.static ? staticInits : instanceInits).push(field(member));
            if (member.type === 'StaticBlock') {
                var blockName = '__nucStaticBlock_' + ctx.serial();
                edits.replace(member.start, edits.findToken(member.start + 6, '{') + 1, 'static ' + blockName + '() {');
                staticInits.push('__nucC.' + blockName + '();');
            }
        }
        if (instanceInits.length)
            defineInstanceFields(cls, ctor, ' ' + instanceInits.join(' '));
        if (staticInits.length) {
            var statics = staticInits.join(' ');
            if (cls.type === 'ClassDeclaration') {
                edits.insert(cls.end, ' (function (__nucC) { ' + statics + ' })(' + cls.id.name + ');', Rank.STATIC_INITS);
            } else {
                edits.before(cls, '__nucClass(', NODE);
                edits.after(cls, ', function (__nucC) { ' + statics + ' })', NODE);
            }
        }
    }

    function collect(cls) {
        classes.push(cls);
    }

    return {
        visit: { ClassDeclaration: collect, ClassExpression: collect },
        finish: function () {
            for (var c = 0; c < classes.length; c++)
                rewrite(classes[c]);
        }
    };
};
