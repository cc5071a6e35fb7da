// An async arrow's `arguments` is the enclosing function's very object
// (not a copy), in nested arrows, shorthand properties and plain arrows too.
function outer(x) {
    const own = arguments;
    const f = async (y) => {
        const o = { arguments, n: arguments.length };
        const inner = async () => arguments === own;
        return [o.arguments === own, o.n, await inner(), (() => arguments[0])(), y];
    };
    return f(9);
}

const fromAsync = async function (x) {
    const a = arguments;
    return async () => a === arguments;
};

async function main() {
    console.log(JSON.stringify(await outer(5, 6)));
    console.log(await (await fromAsync(1))());
}
