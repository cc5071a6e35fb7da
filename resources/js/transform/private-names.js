// #private names (syntax errors in QJSEngine 6.4) become true private
// state, as the TC39 proposal's reference transpilers do it: one
// __nucPrivate (prelude.js) per name and class evaluation, holding a
// WeakMap from each object that has the name to its value (a field) or to
// `true` (the brand of a method or accessor). Nothing lands on the objects,
// so reflection does not see it, and using a name on an object without it
// throws a TypeError:
//   class A { #x = 1; #m() {} f(o) { return o.#x + o.#m(2) + (#x in o); } }
//   → let __nucPriv1_x = __nucPrivate("#x", "field"), __nucPriv1_m = __nucPrivate("#m", "method");
//     class A { … [__nucPriv1_m.key]() {} f(o) { return __nucPriv1_x.get(o) + __nucPriv1_m.call(o, 2) + (__nucPriv1_x.has(o)); } }
// A class expression gets its names from an arrow around it:
//   (() => { let …; return class { … }; })()
// Methods and accessors are written under a Symbol key and taken off the
// prototype (or the class) right after the class is made, by the static
// initialiser class-fields.js writes; it also writes the field
// initialisation (`__nucPriv1_x.init(this, …)`) and the brands.
var NucPasses = NucPasses || {};
NucPasses.privateNames = function (ctx) {
    var edits = ctx.edits;
    var Refusal = NucAst.Refusal;
    var REWRITE = NucEdits.Layer.REWRITE;
    var classSerial = 0;

    // The names a class declares: {name: {kind, isStatic}}.
    function declared(cls) {
        if (!cls.__privates) {
            cls.__privates = {};
            cls.__serial = ++classSerial;
            cls.body.body.forEach(function (m) {
                if (!m.key || m.key.type !== 'PrivateIdentifier')
                    return;
                var kind = m.type === 'PropertyDefinition' ? 'field' : m.kind === 'method' ? 'method' : 'accessor';
                cls.__privates[m.key.name] = { kind: kind, isStatic: !!m.static };
            });
        }
        return cls.__privates;
    }
    // A variable name for #name of class number `serial`: characters the
    // engine would not read in an identifier are spelt out.
    function variable(serial, name) {
        return '__nucPriv' + serial + '_' + name.replace(/[^A-Za-z0-9_$]/g, function (c) {
            return '_u' + c.charCodeAt(0).toString(16) + '_';
        });
    }
    // `from`: where to start looking for the class, for an identifier the
    // walk has not reached yet (its __parent is not set).
    function name(identifier, from) {
        for (var p = from || identifier.__parent; p; p = p.__parent) {
            if ((p.type === 'ClassDeclaration' || p.type === 'ClassExpression') && declared(p)[identifier.name])
                return variable(p.__serial, identifier.name);
        }
        throw new Refusal('a #private name outside the class that declares it', identifier);
    }

    function declare(cls) {
        var names = declared(cls);
        var lets = [];
        for (var n in names)
            lets.push(variable(cls.__serial, n) + ' = __nucPrivate(' + JSON.stringify('#' + n) + ', "' + names[n].kind + '")');
        if (!lets.length)
            return;
        var list = 'let ' + lets.join(', ') + ';';
        if (cls.type === 'ClassDeclaration') {
            edits.before(cls, list + ' ', NucEdits.Layer.PRIVATE_SCOPE);
            return;
        }
        var inHead = [cls.superClass].concat(cls.body.body.filter(function (m) { return m.computed; }).map(function (m) { return m.key; }));
        inHead.forEach(function (node) {
            if (node && NucAst.uses(node, function (x) { return x.type === 'AwaitExpression' || x.type === 'YieldExpression'
                                                            || NucAst.isArguments(x); }))
                throw new Refusal('await, yield or arguments in the heritage or a computed key of a class expression with #private names', node);
        });
        edits.before(cls, '(() => { ' + list + ' return ', NucEdits.Layer.PRIVATE_SCOPE);
        edits.after(cls, '; })()', NucEdits.Layer.PRIVATE_SCOPE);
    }

    function simpleObject(node) {
        return node.type === 'ThisExpression' || node.type === 'Identifier';
    }

    function member(node) {
        if (node.property.type !== 'PrivateIdentifier')
            return;
        var v = name(node.property, node);
        for (var c = node; c.__parent; c = c.__parent) {
            if (c.__parent.type === 'ChainExpression')
                throw new Refusal('a #private name in an optional chain (?.)', node);
            if (c.__parent.type !== 'MemberExpression' && c.__parent.type !== 'CallExpression')
                break;
        }
        var parent = node.__parent;
        var rest = [node.object.end, node.end];   // `.#x`
        if (parent.type === 'CallExpression' && parent.callee === node) {
            // o.#m(a) → P.call(o, a)
            var open = edits.findToken(node.end, '(', parent.end);
            edits.before(node, v + '.call(', REWRITE);
            edits.replace(rest[0], open + 1, parent.arguments.length ? ', ' : '');
        } else if (parent.type === 'AssignmentExpression' && parent.left === node) {
            var op = parent.operator;
            var opPos = edits.findToken(node.end, op, parent.right.start);
            if (op === '=') {
                // o.#x = v → P.set(o, v)
                edits.before(parent, v + '.set(', REWRITE);
                edits.replace(rest[0], opPos + 1, ', ');
                edits.after(parent, ')', REWRITE);
            } else if (op === '??=' || op === '||=' || op === '&&=') {
                read(node, v);   // logical-assignment.js writes the store
            } else {
                // this.#x += v → P.set(this, P.get(this) + (v))
                if (!simpleObject(node.object))
                    throw new Refusal('a compound assignment to a #private field of anything but this or a variable', parent);
                var object = edits.text(node.object);
                edits.replace(parent.start, opPos + op.length, v + '.set(' + object + ', ' + v + '.get(' + object + ') '
                              + op.slice(0, -1) + ' (');
                edits.after(parent, '))', REWRITE);
            }
        } else if (parent.type === 'UpdateExpression') {
            // o.#x++ → P.inc(o, 1, false)
            var delta = parent.operator === '++' ? '1' : '-1';
            if (parent.prefix) {
                edits.replace(parent.start, node.start, v + '.inc(');
                edits.replace(rest[0], rest[1], ', ' + delta + ', true)');
            } else {
                edits.before(node, v + '.inc(', REWRITE);
                edits.replace(rest[0], parent.end, ', ' + delta + ', false)');
            }
        } else if (parent.type === 'TaggedTemplateExpression' || parent.type === 'ArrayPattern'
                   || parent.type === 'AssignmentPattern' || parent.type === 'RestElement'
                   || (parent.type === 'Property' && parent.value === node && parent.__parent.type === 'ObjectPattern')
                   || ((parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') && parent.left === node)) {
            throw new Refusal('a #private member as a destructuring or loop target or a template tag', node);
        } else {
            read(node, v);
        }
    }
    function read(node, v) {
        edits.before(node, v + '.get(', REWRITE);
        edits.replace(node.object.end, node.end, ')');
    }

    return {
        name: name,
        // The text class-fields.js puts first in the constructor (brands)
        // and first in the static initialiser (methods taken, static brands).
        instanceSetup: function (cls) {
            var names = declared(cls);
            var out = [];
            for (var n in names) {
                if (names[n].kind !== 'field' && !names[n].isStatic)
                    out.push(variable(cls.__serial, n) + '.brand(this);');
            }
            return out;
        },
        staticSetup: function (cls) {
            var names = declared(cls);
            var out = [];
            for (var n in names) {
                if (names[n].kind === 'field')
                    continue;
                var v = variable(cls.__serial, n);
                out.push(names[n].isStatic ? v + '.take(__nucC); ' + v + '.brand(__nucC);' : v + '.take(__nucC.prototype);');
            }
            return out;
        },
        visit: {
            ClassDeclaration: declare,
            ClassExpression: declare,
            MethodDefinition: function (node) {
                if (node.key.type === 'PrivateIdentifier')
                    edits.replace(node.key.start, node.key.end, '[' + name(node.key, node) + '.key]');
            },
            MemberExpression: member,
            BinaryExpression: function (node) {
                // `#x in o` → P.has(o)
                if (node.left.type === 'PrivateIdentifier' && node.operator === 'in') {
                    edits.replace(node.left.start, node.right.start, name(node.left, node) + '.has(');
                    edits.after(node, ')', REWRITE);
                }
            }
        }
    };
};
