(function (evaluate, head, source, tail) {
    // A built-in module kept as source and compiled on its first require()
    // (DriverModule::installRequire: `buffer`). `evaluate` is the global
    // eval, called indirectly: the source runs in global scope, sloppy
    // unless it says otherwise, as when it was evaluated from C++. Compiled
    // ahead of time (app/CMakeLists.txt), so no engine parses this wrapper.
    return function (exports, require, module) { evaluate(head + source + tail)(exports, require, module); };
})
