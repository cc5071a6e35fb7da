#include "runtime/declarativemodule.h"

#include "runtime/jslexer.h"

#include <algorithm>
#include <vector>

// The grammar accepted, over JsLexer's tokens (whatever else: not
// declarative). Statements begin only with a keyword below, so a token
// that would continue the previous expression across a line break (`(`,
// `[`, `.`, a template, an operator) is never taken for a new statement:
// ASI cannot hide a call.
//
//   module     := item*
//   item       := ';' | STRING ';'? (a directive)
//               | (const|let|var) binding (',' binding)* ';'?
//               | ['async'] 'function' ['*'] NAME '(' … ')' '{' … '}'
//               | 'class' NAME ['extends' NAME] '{' member* '}'
//               | 'module' '.' 'exports' '=' NAME ';'?      (once, the last item)
//
//   NAME is an identifier that is no reserved or contextual keyword (`new`
//   before a line break would run the declaration after it).
//   binding    := NAME '=' value
//               | '{' NAME [':' NAME] (',' …)* '}' '=' require   (no defaults, no rest)
//   value      := NUMBER | '-' NUMBER | STRING | REGEX | TEMPLATE (no ${}) | NAME
//               | require ['.' NAME]
//               | '{' (key ':' value | NAME) (',' …)* [','] '}'
//               | '[' value (',' value)* [','] ']'
//               | ['async'] 'function' ['*'] [NAME] '(' … ')' '{' … '}'
//               | ['async'] ('(' … ')' | NAME) '=>' '{' … '}'
//   require    := 'require' '(' ('./base-driver' | 'events') ')'
//   member     := ';' | ['static'] ['async'] ['*'] (NAME | STRING | NUMBER) '(' … ')' '{' … '}'
//                 (not `get`/`set` before a name, not `static {`)
//
// `…` is skipped with its brackets balanced: parameter lists and bodies
// are not run when a function or class is made. A NAME read (a value, a
// shorthand, `extends`) must be declared by the module itself (or be
// `undefined`, `NaN`, `Infinity`): a global may be an accessor (the host's
// `Buffer` loads a module on first use), whose effect would outlive the
// driver. No declaration may be named `require` or `module` (a hoisted
// `function require` would be called). The two modules that may be
// required are loaded in every validation engine before any driver runs
// (BaseDriver requires events), so requiring them changes nothing. An
// identifier written with an escape is not read at all.

using namespace JsLexer;

namespace {

// Never a name here: reserved words, the literals, and the contextual
// keywords that begin an expression.
bool reserved(QStringView word)
{
    static const char *const words[] = {
        "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
        "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import",
        "in", "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public",
        "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while",
        "with", "yield", "async", "of", "get", "set", "arguments", "eval"};
    for (const char *w : words) {
        if (word == QLatin1String(w))
            return true;
    }
    return false;
}

class Recognizer
{
public:
    explicit Recognizer(std::vector<Token> tokens) : m_t(std::move(tokens)) {}
    bool module();
    const char *reason = nullptr;

private:
    const Token &peek(size_t ahead = 0) const
    {
        static const Token end;
        return m_i + ahead < m_t.size() ? m_t[m_i + ahead] : end;
    }
    bool fail(const char *why)
    {
        reason = why;
        return false;
    }
    bool take(const char *punct)
    {
        if (!is(peek(), punct))
            return false;
        ++m_i;
        return true;
    }
    bool takeIdent(const char *name)
    {
        if (!isIdent(peek(), name))
            return false;
        ++m_i;
        return true;
    }
    // A name (not a reserved word).
    bool name()
    {
        if (peek().kind != Kind::Ident || reserved(peek().text))
            return false;
        ++m_i;
        return true;
    }
    bool semicolon()
    {
        take(";");
        return true;
    }
    bool skipBalanced(const char *open, const char *close);
    bool item();
    bool binding();
    bool value();
    bool require();
    bool function();
    bool arrowOrFunction(bool *matched);
    bool classDeclaration();
    bool member();

    bool declare(QStringView name);
    bool readsOnlyDeclared();

    std::vector<Token> m_t;
    size_t m_i = 0;
    std::vector<QStringView> m_declared;   // the module's own top-level names
    std::vector<QStringView> m_read;       // names read at the top level
    int m_depth = 0;                       // value() nesting
};

bool Recognizer::declare(QStringView name)
{
    if (name == u"require" || name == u"module")
        return fail("a declaration named require or module");
    m_declared.push_back(name);
    return true;
}

bool Recognizer::readsOnlyDeclared()
{
    for (QStringView name : m_read) {
        if (name == u"undefined" || name == u"NaN" || name == u"Infinity")
            continue;
        if (std::find(m_declared.cbegin(), m_declared.cend(), name) == m_declared.cend())
            return fail("a read of a global");
    }
    return true;
}

bool Recognizer::skipBalanced(const char *open, const char *close)
{
    if (!take(open))
        return fail("expected a bracket");
    int depth = 1;
    while (m_i < m_t.size()) {
        const Token &t = m_t[m_i++];
        if (t.kind != Kind::Punct)
            continue;
        if (t.text == u"(" || t.text == u"[" || t.text == u"{")
            ++depth;
        else if ((t.text == u")" || t.text == u"]" || t.text == u"}") && --depth == 0)
            return t.text == QLatin1String(close) ? true : fail("mismatched brackets");
    }
    return fail("unbalanced brackets");
}

bool Recognizer::module()
{
    for (const Token &t : m_t) {
        if (t.kind == Kind::Ident && t.text.contains(u'\\'))
            return fail("an identifier with an escape");
    }
    while (peek().kind != Kind::End) {
        if (!item())
            return false;
    }
    return readsOnlyDeclared();
}

bool Recognizer::item()
{
    const Token &t = peek();
    if (take(";"))
        return true;
    if (t.kind == Kind::String) {
        ++m_i;
        return semicolon();
    }
    if (isIdent(t, "const") || isIdent(t, "let") || isIdent(t, "var")) {
        ++m_i;
        do {
            if (!binding())
                return false;
        } while (take(","));
        return semicolon();
    }
    if (isIdent(t, "async") && peek(1).newlineBefore)
        return fail("async before a line break");
    if (isIdent(t, "function") || (isIdent(t, "async") && isIdent(peek(1), "function"))) {
        // [async] function [*] NAME: the name is hoisted, so it is declared.
        size_t at = isIdent(t, "async") ? 2 : 1;
        if (is(peek(at), "*"))
            ++at;
        if (peek(at).kind != Kind::Ident || reserved(peek(at).text) || !declare(peek(at).text))
            return fail("a function declaration without a plain name");
        return function();
    }
    if (isIdent(t, "class"))
        return classDeclaration();
    if (isIdent(t, "module")) {
        // The last item, once: `module.exports = NAME`.
        ++m_i;
        const Token &exported = peek(3);
        if (!(take(".") && takeIdent("exports") && take("=") && name()))
            return fail("module.exports is not a plain name");
        m_read.push_back(exported.text);
        semicolon();
        return peek().kind == Kind::End ? true : fail("more after module.exports");
    }
    return fail("a statement that runs code");
}

bool Recognizer::binding()
{
    if (is(peek(), "{")) {
        // const { A, b: B } = require('x')
        ++m_i;
        do {
            if (is(peek(), "}"))
                break;
            const Token &key = peek();
            if (!name())
                return fail("a destructuring pattern");
            const Token &bound = take(":") ? peek() : key;
            if ((&bound != &key && !name()) || !declare(bound.text))
                return fail("a destructuring pattern");
        } while (take(","));
        if (!take("}") || !take("="))
            return fail("a destructuring pattern");
        return require();
    }
    const Token &bound = peek();
    if (!name() || !declare(bound.text))
        return fail("a binding pattern");
    if (!take("="))
        return fail("a binding without a value");
    return value();
}

bool Recognizer::require()
{
    if (takeIdent("require") && take("(") && peek().kind == Kind::String) {
        const QStringView quoted = peek().text;
        const QStringView module = quoted.mid(1, quoted.size() - 2);
        ++m_i;
        if (take(")"))
            return module == u"./base-driver" || module == u"events" ? true : fail("require of a module not loaded yet");
    }
    return fail("a call other than require of a literal name");
}

bool Recognizer::function()
{
    takeIdent("async");
    if (!takeIdent("function"))
        return fail("function");
    take("*");
    name();   // optional for an expression, present for a declaration (checked by the engine)
    if (!is(peek(), "("))
        return fail("function");
    return skipBalanced("(", ")") && (is(peek(), "{") ? skipBalanced("{", "}") : fail("function"));
}

// An arrow with a block body, or a function expression; `matched` false
// (and nothing taken) when the value is neither. (`async` before a line
// break is no async function: refused.)
bool Recognizer::arrowOrFunction(bool *matched)
{
    const size_t start = m_i;
    *matched = true;
    const bool async = isIdent(peek(), "async");
    if (async && peek(1).newlineBefore)
        return fail("async before a line break");
    if (isIdent(peek(async ? 1 : 0), "function"))
        return function();
    if (async)
        ++m_i;
    if (is(peek(), "(")) {
        if (!skipBalanced("(", ")"))
            return false;
    } else if (peek().kind == Kind::Ident && is(peek(1), "=>")) {
        ++m_i;
    } else {
        m_i = start;
        *matched = false;
        return true;
    }
    if (!take("=>")) {
        m_i = start;
        return fail("a parenthesised expression");
    }
    return is(peek(), "{") ? skipBalanced("{", "}") : fail("an arrow without a block body");
}

bool Recognizer::value()
{
    // Literals nested deeper than drivers write them: not worth a stack.
    struct Depth
    {
        int &depth;
        explicit Depth(int &d) : depth(++d) {}
        ~Depth() { --depth; }
    } depth(m_depth);
    if (m_depth > 64)
        return fail("literals nested too deep");
    bool matched = false;
    if (!arrowOrFunction(&matched))
        return false;
    if (matched)
        return true;
    const Token &t = peek();
    switch (t.kind) {
    case Kind::Number:
    case Kind::String:
    case Kind::Regex:   // a new RegExp object; nothing runs until it is used
        ++m_i;
        return true;
    case Kind::Template:
        if (!t.text.startsWith(u'`'))
            return fail("a template with substitutions");
        ++m_i;
        return true;
    case Kind::Ident:
        if (isIdent(t, "require")) {
            if (!require())
                return false;
            if (take("."))
                return name() ? true : fail("a member of a module");
            return true;
        }
        if (isIdent(t, "true") || isIdent(t, "false") || isIdent(t, "null")) {
            ++m_i;
            return true;
        }
        // Any other keyword here would begin an expression that may run code.
        if (reserved(t.text))
            return fail("an expression that may run code");
        m_read.push_back(t.text);
        ++m_i;
        return true;
    case Kind::Punct:
        if (take("-"))
            return peek().kind == Kind::Number ? (++m_i, true) : fail("an operator");
        if (take("[")) {
            do {
                if (is(peek(), "]"))
                    break;
                if (!value())
                    return false;
            } while (take(","));
            return take("]") ? true : fail("an array with more than values");
        }
        if (take("{")) {
            do {
                if (is(peek(), "}"))
                    break;
                const Token &key = peek();
                if (key.kind != Kind::Ident && key.kind != Kind::String && key.kind != Kind::Number)
                    return fail("an object key that runs code");
                ++m_i;
                if (key.kind == Kind::Ident && (is(peek(), ",") || is(peek(), "}"))) {
                    m_read.push_back(key.text);   // shorthand { name }
                    continue;
                }
                if (!take(":"))
                    return fail("an object member other than key: value");
                if (!value())
                    return false;
            } while (take(","));
            return take("}") ? true : fail("an object with more than values");
        }
        return fail("an expression that may run code");
    default:
        return fail("an expression that may run code");
    }
}

bool Recognizer::classDeclaration()
{
    takeIdent("class");
    const Token &named = peek();
    if (!name() || !declare(named.text))
        return fail("a class without a plain name");
    if (takeIdent("extends")) {
        const Token &base = peek();
        if (!name())
            return fail("a class extending more than a name");
        m_read.push_back(base.text);
    }
    if (!take("{"))
        return fail("a class extending more than a name");
    while (!take("}")) {
        if (peek().kind == Kind::End)
            return fail("unbalanced brackets");
        if (!member())
            return false;
    }
    return true;
}

bool Recognizer::member()
{
    if (take(";"))
        return true;
    if (takeIdent("static") && is(peek(), "{"))
        return fail("a static block");
    // `get`/`set` before a name make an accessor, which reading the
    // prototype (the rule checker does) would run.
    if ((isIdent(peek(), "get") || isIdent(peek(), "set")) && !is(peek(1), "("))
        return fail("an accessor");
    if (isIdent(peek(), "async") && !is(peek(1), "("))
        ++m_i;
    take("*");
    const Token &key = peek();
    if (key.kind != Kind::Ident && key.kind != Kind::String && key.kind != Kind::Number)
        return fail("a computed or private member name");
    ++m_i;
    if (!is(peek(), "("))
        return fail("a class field");
    return skipBalanced("(", ")") && (is(peek(), "{") ? skipBalanced("{", "}") : fail("a method without a body"));
}

} // namespace

bool DeclarativeModule::recognized(QStringView source, const char **reason)
{
    Lexer lexer(source);
    std::vector<Token> tokens;
    for (;;) {
        Token t;
        if (!lexer.next(&t)) {
            if (reason)
                *reason = lexer.reason;
            return false;
        }
        if (t.kind == Kind::End)
            break;
        tokens.push_back(t);
    }
    Recognizer recognizer(std::move(tokens));
    const bool ok = recognizer.module();
    if (!ok && reason)
        *reason = recognizer.reason;
    return ok;
}
