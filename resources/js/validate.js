(function (Driver, BaseDriver) {
    // The rule checker of the validator (SandboxValidator), compiled ahead of
    // time like the other host scripts (app/CMakeLists.txt) so that each
    // validation engine does not parse it. Returns '' when the export
    // satisfies the rules of DRIVER_API.md, else "<rule>\n<message>".
    if (typeof Driver !== 'function')
        return 'export\nmodule.exports must be a class extending BaseDriver, got ' +
            (Driver === null ? 'null' : typeof Driver);
    if (Driver === BaseDriver)
        return 'base class\nmodule.exports is BaseDriver itself, not a class extending it';
    var proto = Driver.prototype;
    if (!proto || !Object.prototype.isPrototypeOf.call(BaseDriver.prototype, proto))
        return 'base class\nthe exported class ' + (Driver.name || '(anonymous)') +
            ' does not extend BaseDriver (require(\'./base-driver\'))';
    var missing = ['connect', 'disconnect', 'sendCommand'].filter(function (m) {
        return typeof proto[m] !== 'function';
    });
    if (missing.length)
        return 'methods\n' + missing.join(', ') + (missing.length > 1 ? ' are' : ' is') +
            ' not a function on the driver class';
    return '';
})
