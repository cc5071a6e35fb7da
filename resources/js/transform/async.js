// async functions and await (syntax errors in QJSEngine 6.4). An async
// function's body becomes a generator driven by __nucAsync (prelude.js):
//   async f(a) { … await x … } → f(a) { return __nucAsync(this, arguments, function* () { … __nucKeep(yield x) … }); }
// This pass removes `async`, turns await into yield and routes super
// through __nucSuper; function-bodies.js wraps the body.
var NucPasses = NucPasses || {};
NucPasses.async = function (ctx) {
    var edits = ctx.edits;
    var Refusal = NucAst.Refusal;
    var superNeeded = [];     // methods that need __nucSuper

    function removeKeyword(fn) {
        if (!fn.async)
            return;
        // For methods `async` stands before the key.
        var asyncStart = fn.start;
        var holder = fn.__parent;
        if (holder.value === fn && (holder.type === 'MethodDefinition'
                                    || (holder.type === 'Property' && (holder.method || holder.kind !== 'init'))))
            asyncStart = edits.findToken(holder.start, 'async', holder.key.start);
        if (asyncStart >= 0 && edits.source.substr(asyncStart, 5) === 'async')
            edits.blank(asyncStart, asyncStart + 5);
    }

    function awaitToYield(node) {
        // An identifier first: code without semicolons must not read
        // `(yield …)` as a call on the previous line.
        edits.replace(node.start, node.start + 'await'.length, '__nucKeep(yield');
        edits.after(node, ')', NucEdits.Layer.NODE);
    }

    // super inside code that becomes a generator: through __nucSuper(name),
    // defined in the method where super is valid.
    function superInAsync(node) {
        if (!NucAst.insideAsync(node))
            return;
        var member = node.__parent;
        if (member.type !== 'MemberExpression' || member.object !== node)
            throw new Refusal('super() or super in this form inside an async function', node);
        var method = NucAst.ownerFunction(node);
        if (!method || method.type !== 'FunctionExpression' || method.__parent.type !== 'MethodDefinition')
            throw new Refusal('super inside an async function that is not a class method', node);
        if (method.__parent.kind === 'constructor')
            throw new Refusal('super inside an async arrow in a constructor', node);
        if (superNeeded.indexOf(method) < 0)
            superNeeded.push(method);
        var call = member.__parent;
        var name = member.computed ? null : JSON.stringify(member.property.name);
        if (call.type === 'CallExpression' && call.callee === member) {
            // super.m(a) → __nucSuper("m").call(this, a)
            if (name) {
                edits.replace(member.start, member.end, '__nucSuper(' + name + ').call');
            } else {
                edits.replace(node.start, member.property.start, '__nucSuper(');
                edits.replace(member.property.end, member.end, ').call');
            }
            var open = edits.findToken(member.end, '(', call.end);
            edits.insert(open + 1, call.arguments.length ? 'this, ' : 'this', NucEdits.Rank.CALL_THIS);
        } else if (call.type === 'AssignmentExpression' && call.left === member) {
            throw new Refusal('assigning to super.x inside an async function', node);
        } else if (name) {
            edits.replace(member.start, member.end, '__nucSuper(' + name + ')');
        } else {
            edits.replace(node.start, member.property.start, '__nucSuper(');
            edits.replace(member.property.end, member.end, ')');
        }
    }

    return {
        // Does method `fn` need `const __nucSuper = (n) => super[n];`?
        superAccessor: function (fn) {
            return superNeeded.indexOf(fn) >= 0;
        },
        visit: {
            AwaitExpression: awaitToYield,
            Super: superInAsync,
            FunctionDeclaration: removeKeyword,
            FunctionExpression: removeKeyword,
            ArrowFunctionExpression: removeKeyword
        }
    };
};
