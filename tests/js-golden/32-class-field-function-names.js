// A class field's anonymous function, arrow or class is named after the
// field (#private ones "#name"), as Node names them.
class C {
    static #field = () => 'T';
    #inst = function () {};
    static field = function () { return 42; };
    'q r' = () => 1;
    static k = class {};
    static j = class { static name() { return 'own'; } };
    static named = function given() {};
    static a() { return this.#field; }
    b() { return this.#inst; }
}

async function main() {
    const c = new C();
    console.log([C.a().name, c.b().name, C.field.name, c['q r'].name, C.k.name, C.j.name(), C.named.name].join('|'));
}
