// require() for one engine (compiled ahead of time, see app/CMakeLists.txt):
// built-in modules only, each run once per engine on its first require()
// and cached. `factories` maps a name to its module's function
// (exports, require, module), compiled into the binary.
(function (factories) {
    'use strict';
    const cache = Object.create(null);
    function require(name) {
        name = String(name);
        if (Object.prototype.hasOwnProperty.call(cache, name))
            return cache[name];
        if (!Object.prototype.hasOwnProperty.call(factories, name))
            throw new Error('module not available: ' + name);
        const module = { exports: {} };
        factories[name](module.exports, require, module);
        cache[name] = module.exports;
        return module.exports;
    }
    return require;
})
