// Constructs no pass down-levels, refused with their line and column:
// what QJSEngine 6.4 cannot run and the transformer cannot rewrite, and
// regular expressions that would parse but behave differently there.
var NucPasses = NucPasses || {};
NucPasses.refusals = function (ctx) {
    var Refusal = NucAst.Refusal;
    var isFunction = NucAst.isFunction;

    function regex(node) {
        var pattern = node.regex.pattern;
        var flags = node.regex.flags;
        if (flags.indexOf('s') >= 0)
            throw new Refusal('the regular expression flag s (dotAll), which QJSEngine 6.4 rejects', node);
        if (flags.indexOf('d') >= 0)
            throw new Refusal('the regular expression flag d (indices)', node);
        if (/\(\?<[=!]/.test(pattern))
            throw new Refusal('regular expression lookbehind, which never matches in QJSEngine 6.4', node);
        if (/\(\?<[A-Za-z_$]/.test(pattern) || /\\k</.test(pattern))
            throw new Refusal('regular expression named groups, whose .groups is undefined in QJSEngine 6.4', node);
    }

    // Identifiers QJSEngine 6.4's lexer cannot read (QJSENGINE.md item 9):
    // escapes, ZWNJ/ZWJ, the Other_ID_Start and Other_ID_Continue
    // characters (℘, ℮, ゛, ·, …) and characters beyond U+FFFF.
    // (#private names are renamed, so they may hold any of these.)
    var unreadable = /[\\\u00B7\u0387\u1369-\u1371\u1885\u1886\u19DA\u200C\u200D\u2118\u212E\u309B\u309C\uD800-\uDFFF]/;

    // As a property name it can be written as a string instead:
    // `o.\u{6F}` → `o["o"]`, `{ ℘() {} }` → `{ "℘"() {} }` (a field's name
    // is written by class-fields.js); as a variable or label it is refused.
    function unreadableName(node) {
        var parent = node.__parent;
        var name = JSON.stringify(node.name);
        if (parent.type === 'MemberExpression' && parent.property === node && !parent.computed && !parent.optional) {
            ctx.edits.replace(ctx.edits.findToken(parent.object.end, '.', node.start), node.end, '[' + name + ']');
            return;
        }
        if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition')
            && parent.key === node && !parent.computed && !parent.shorthand) {
            if (parent.type !== 'PropertyDefinition')
                ctx.edits.replace(node.start, node.end, name);
            return;
        }
        throw new Refusal('an identifier with an escape sequence or a character QJSEngine 6.4 cannot read', node);
    }

    // Names a parameter pattern binds.
    function bound(pattern, names) {
        if (!pattern)
            return names;
        if (pattern.type === 'Identifier')
            names.push(pattern.name);
        else if (pattern.type === 'AssignmentPattern')
            bound(pattern.left, names);
        else if (pattern.type === 'RestElement')
            bound(pattern.argument, names);
        else if (pattern.type === 'ArrayPattern')
            pattern.elements.forEach(function (e) { bound(e, names); });
        else if (pattern.type === 'ObjectPattern')
            pattern.properties.forEach(function (p) { bound(p.type === 'RestElement' ? p.argument : p.value, names); });
        return names;
    }
    // Does `node` read one of `names`? (The walk has not set __parent
    // below the function yet, so the parent is passed down.)
    function reads(node, names, parent) {
        if (node.type === 'Identifier')
            return names.indexOf(node.name) >= 0
                && !(parent && ((parent.type === 'MemberExpression' && parent.property === node && !parent.computed)
                                || (parent.type === 'Property' && parent.key === node && !parent.computed && !parent.shorthand)));
        if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration')
            return false;
        var found = false;
        NucAst.eachChild(node, function (child) {
            if (!found && reads(child, names, node))
                found = true;
        });
        return found;
    }
    // QJSEngine 6.4 has no parameter TDZ and lets a named function
    // expression's own name be overwritten (QJSENGINE.md item 8): code that
    // relies on either behaves differently, so it is refused.
    function functionDefects(fn) {
        for (var i = 0; i < fn.params.length; i++) {
            var param = fn.params[i];
            if (param.type !== 'AssignmentPattern')
                continue;
            var later = [];
            for (var j = i; j < fn.params.length; j++)
                bound(fn.params[j], later);
            if (reads(param.right, later, param))
                throw new Refusal('a parameter default that refers to its own or a later parameter', param);
        }
        if (fn.type === 'FunctionExpression' && fn.id) {
            var own = fn.id.name;
            NucAst.uses(fn.body, function (n) {
                var target = n.type === 'AssignmentExpression' ? n.left : n.type === 'UpdateExpression' ? n.argument : null;
                if (target && target.type === 'Identifier' && target.name === own)
                    throw new Refusal("assigning to a named function expression's own name inside it", n);
                return false;
            });
        }
    }

    function isAsyncFunction(node) {
        return isFunction(node) && node.async;
    }
    function isGlobalMember(node, object, property) {
        return node.type === 'MemberExpression' && !node.computed && node.object.type === 'Identifier'
            && node.object.name === object && node.property.name === property;
    }
    // What the engine or the down-levelling cannot give, where the source
    // shows it (the CallExpression, MemberExpression and NewExpression
    // handlers below): an async function's own prototype (a down-levelled
    // async function is a plain function: no distinct
    // AsyncFunction.prototype, no AsyncFunction constructor), and a Proxy
    // getOwnPropertyDescriptor trap (QJSEngine 6.4 throws a TypeError for
    // any descriptor it reports of a property the target lacks, so spread,
    // Object.keys and for-in over such a Proxy throw).
    // A trap that only records its calls (returns nothing) is fine.
    function reportsDescriptors(trap) {
        if (!isFunction(trap) || trap.expression)
            return true;
        return NucAst.uses(trap.body, function (n) { return n.type === 'ReturnStatement' && n.argument !== null; });
    }

    function functionChecks(node) {
        functionDefects(node);
        if (node.async && node.generator) {
            var holder = node.__parent;
            var at = holder && holder.value === node && (holder.type === 'MethodDefinition' || holder.type === 'Property')
                ? holder : node;
            throw new Refusal('async generator functions', at);
        }
    }
    // No identifier can hold a character the source does not: one scan of
    // the source spares the test of every identifier's text.
    var maybeUnreadable = unreadable.test(ctx.edits.source);

    // One handler per node type that can be refused; for a type with
    // several checks, they run in the order they are listed.
    return {
        visit: {
            CallExpression: function (node) {
                if (node.arguments.length && isAsyncFunction(node.arguments[0])
                    && (isGlobalMember(node.callee, 'Object', 'getPrototypeOf') || isGlobalMember(node.callee, 'Reflect', 'getPrototypeOf')))
                    throw new Refusal('the prototype of an async function (AsyncFunction.prototype)', node);
            },
            MemberExpression: function (node) {
                if (isAsyncFunction(node.object) && !node.computed && node.property.name === 'constructor')
                    throw new Refusal('the constructor of an async function (AsyncFunction)', node);
            },
            NewExpression: function (node) {
                if (node.callee.type === 'Identifier' && node.callee.name === 'Proxy'
                    && node.arguments.length > 1 && node.arguments[1].type === 'ObjectExpression'
                    && node.arguments[1].properties.some(function (p) {
                        return p.type === 'Property' && !p.computed && reportsDescriptors(p.value)
                            && (p.key.name === 'getOwnPropertyDescriptor' || p.key.value === 'getOwnPropertyDescriptor');
                    }))
                    throw new Refusal('a Proxy handler with a getOwnPropertyDescriptor trap that returns descriptors', node.arguments[1]);
            },
            FunctionExpression: functionChecks,
            FunctionDeclaration: functionChecks,
            ArrowFunctionExpression: functionChecks,
            Identifier: function (node) {
                if (maybeUnreadable && unreadable.test(ctx.edits.source.slice(node.start, node.end)))
                    unreadableName(node);
            },
            SpreadElement: function (node) {
                if (node.argument.type === 'Identifier' && node.argument.name === 'yield')
                    throw new Refusal('spreading a variable named yield (...yield)', node);
            },
            ForOfStatement: function (node) {
                if (node.await)
                    throw new Refusal('for await', node);
            },
            Literal: function (node) {
                if (node.bigint !== undefined)
                    throw new Refusal('BigInt literals', node);
                if (node.regex)
                    regex(node);
            },
            ImportExpression: function (node) {
                throw new Refusal('import()', node);
            },
            MetaProperty: function (node) {
                if (node.meta && node.meta.name === 'import')
                    throw new Refusal('import.meta', node);
            },
            PropertyDefinition: function (node) {
                if (node.computed)
                    throw new Refusal('class fields with a computed name', node);
            }
        }
    };
};
