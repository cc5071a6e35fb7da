#include "runtime/transformskip.h"

#include "runtime/jslexer.h"
#include "runtime/transformskiptext.h"

#include <algorithm>
#include <utility>
#include <vector>

// Soundness. transform.js returns its input unchanged exactly when acorn
// parses it (syntax errors: see transformskip.h), no pass records an edit
// and no pass throws a refusal, and the input has no `#!` line. Below, each
// pass of resources/js/transform/ with the text every one of its edits or
// refusals needs; when that text is absent the pass does nothing:
//
//   transform.js  `#!` line rewritten            text `#`
//   refusals      async generators, for await    text `async` / `await`
//                 BigInt literal                 a number token holding `n`
//                 import(), import.meta          text `import`
//                 regex flags s and d            any flag but g, i, m, y
//                 lookbehind, named groups       text `(?<`, `\k<`
//                 computed class-field name      a class member that is not a method
//                 a default reading a later      an assignment token directly inside `(`
//                 parameter (no TDZ, item 8)
//                 a store to a function          an assignment, `++` or `--` next to a name
//                 expression's own name          some `function NAME` had before
//                 unreadable identifiers         `\` or a non-letter beyond ASCII in a name
//   numericSeparators  `_` in a number literal   a number token holding `_`
//   optionalCatch `catch {`                      `catch` not followed by `(`
//   privateNames  #x                             text `#`
//   noEval        eval, Function(…)              text `eval`, `Function`
//   refusals      an async function's prototype  text `async`
//                 or constructor
//                 a Proxy getOwnPropertyDescriptor text `Proxy`
//                 trap
//   logicalAssignment ??= ||= &&=                text `??=`, `||=`, `&&=`
//   objectSpread / objectRest  `...`             text `...`
//   async         async functions, await         text `async` / `await`
//   tailStores    an assignment in a return's argument or an arrow's
//                 expression body                any assignment operator between
//                                                `return` (or a bodiless `=>`) and
//                                                the `;`, `,` (arrow) or closing
//                                                bracket that ends it, unless a `{`
//                                                lies between (keep() follows only
//                                                ?:, ||, ??, && and comma, never into
//                                                an object, function or class body)
//   boundArrows   an arrow in a derived class's  any `=>` inside the body of a
//                 constructor                    `constructor` of a class with `extends`
//   functionBodies only for async functions, object rest and bound arrows (above)
//   classFields   fields and static blocks       a class member that is not a method
//   edits.apply   overlapping edits              needs edits
//
// The text rules look at the whole source, strings and comments included:
// more triggers, never fewer. The token rules need a lexer; wherever it is
// not sure what it reads (a `/` after `}`, a backslash in an identifier, an
// unterminated comment, a class heritage that is more than a dotted name,
// a computed member name ...) it answers "run the transform".
//
// Besides the passes, acorn refuses what it cannot parse. Most of that
// QJSEngine refuses too, and the callers re-run the real transform when a
// skipped source fails validation (same message). Two constructs acorn
// refuses where QJSEngine 6.4 may not, `__proto__` twice in a literal and
// HTML-like comments, are run through the transform whenever their text
// appears. So are the early errors about super and new.target that the
// test262 subset showed QJSEngine 6.4 does not raise: `super(` anywhere but
// directly in a derived class's constructor body, `super` anywhere but in a
// class method without a nested `function`, `new.target`, and a second
// constructor in one class; a declaration in a catch block that may name
// the catch parameter (acorn: "already declared"); a regular expression
// beyond a plain subset (acorn checks patterns, QJSEngine only runs them);
// and optional chaining (`?.`), whose early
// errors (a template tag, an assignment target) acorn raises and QJSEngine
// 6.4 does not.

using namespace JsLexer;

namespace {

// One open bracket. A class body reads its members itself: each must be
// `[static] [get|set] [*] name (params) { body }`.
struct Frame
{
    enum Role { Plain, ClassBody, MemberParams, MemberBody, FunctionBody };
    enum Member { Start, AfterStatic, AfterGetSet, Name, Params, Body };
    QChar open;
    Role role = Plain;
    bool derived = false;        // ClassBody: the class has `extends`
    bool derivedCtor = false;    // MemberBody: the constructor of a derived class
    bool hasConstructor = false; // ClassBody: a constructor was seen
    Member member = Start;       // ClassBody: where in the current member
    bool constructor = false;    // ClassBody: the current member is the constructor
    bool catchBody = false;      // the block of `catch (name)`
    bool assigned = false;       // `(`: an assignment directly inside
};

// Inside `return …` or a bodiless arrow `=> …`, until what ends it.
struct Watch
{
    size_t depth;
    bool arrow;
};

class Scanner
{
public:
    explicit Scanner(QStringView source) : m_lexer(source) {}
    bool run();
    const char *reason = nullptr;

private:
    bool fail(const char *why)
    {
        reason = why;
        return false;
    }
    bool classHeader(const Token &t);
    bool member(Frame &cls, const Token &t);
    bool code(const Token &t);
    bool close(QChar open);
    bool watched() const;
    const Frame *innermostMethod() const;
    void push(Frame frame) { m_frames.push_back(frame); }
    void pushMember(QChar open, Frame::Role role, const Frame &cls);

    Lexer m_lexer;
    std::vector<Frame> m_frames;
    std::vector<Watch> m_watches;
    int m_derivedCtors = 0;        // open derived-class constructor bodies
    int m_header = 0;              // class header: 0 none, 1 after class, 2 after name, 3 after extends, 4 heritage
    bool m_headerDerived = false;
    bool m_afterArrow = false;
    bool m_afterDot = false;
    bool m_afterSuper = false;
    bool m_afterNew = false;
    // catch (name) {: 1 after catch, 2 after (, 3 after the name, 4 after )
    int m_catch = 0;
    QStringView m_catchName;
    std::vector<QStringView> m_catchParams;   // of the open catch blocks
    bool m_afterDeclaration = false;          // let, const, var, class or function in a catch block
    // Between the keyword `function` and its body: the depth it was met at.
    static constexpr size_t noFunction = size_t(-1);
    size_t m_function = noFunction;
    // refusals.js: every `function NAME` seen so far and the previous
    // token (a store to such a name runs the transform).
    std::vector<QStringView> m_functionNames;
    bool m_afterFunction = false;
    bool m_closedAssigned = false;   // the token before was a `)` with an assignment directly inside
    Token m_previous;
};

// Is an assignment here in a tail position that tail-stores.js may wrap:
// inside a `return`'s or bodiless arrow's watch with no `{` in between?
bool Scanner::watched() const
{
    if (m_watches.empty())
        return false;
    size_t braces = 0;   // frames up to and including the innermost `{`
    for (size_t i = m_frames.size(); i > 0; --i) {
        if (m_frames[i - 1].open == u'{') {
            braces = i;
            break;
        }
    }
    return m_watches.back().depth >= braces;
}

// The class method whose own code (arrows included) this is, or null
// (top level, or inside a `function`).
const Frame *Scanner::innermostMethod() const
{
    for (auto it = m_frames.crbegin(); it != m_frames.crend(); ++it) {
        if (it->role == Frame::MemberBody)
            return &*it;
        if (it->role == Frame::FunctionBody)
            return nullptr;
    }
    return nullptr;
}

bool Scanner::run()
{
    for (;;) {
        Token t;
        if (!m_lexer.next(&t))
            return fail(m_lexer.reason);
        if (t.kind == Kind::End)
            return m_frames.empty() && m_header == 0 ? true : fail("unbalanced brackets");
        if (m_afterDeclaration) {
            m_afterDeclaration = false;
            const bool named = t.kind == Kind::Ident
                && std::find(m_catchParams.cbegin(), m_catchParams.cend(), t.text) != m_catchParams.cend();
            if (named || is(t, "[") || is(t, "{"))
                return fail("a declaration that may name the catch parameter");
        }
        bool ok;
        if (m_header != 0)
            ok = classHeader(t);
        else if (!m_frames.empty() && m_frames.back().role == Frame::ClassBody)
            ok = member(m_frames.back(), t);
        else
            ok = code(t);
        if (!ok)
            return false;
        m_afterDot = is(t, ".") || is(t, "?.");
    }
}

// class [Name] [extends a.b.C] {   — any other heritage: run the transform.
bool Scanner::classHeader(const Token &t)
{
    if (is(t, "{") && m_header != 3) {
        Frame body{u'{', Frame::ClassBody};
        body.derived = m_headerDerived;
        push(body);
        m_header = 0;
        return true;
    }
    if (m_header == 1 && t.kind == Kind::Ident && t.text != u"extends") {
        m_header = 2;
        return true;
    }
    if ((m_header == 1 || m_header == 2) && isIdent(t, "extends")) {
        m_headerDerived = true;
        m_header = 3;
        return true;
    }
    if (m_header == 3 && t.kind == Kind::Ident) {
        m_header = 4;
        return true;
    }
    if (m_header == 4 && is(t, ".")) {
        m_header = 3;
        return true;
    }
    return fail("class heritage or header");
}

// Tokens at the level of a class body: only methods pass. A field
// (`x = 1`, `x;`, `x` then a newline), a static block, a computed name or
// a stray `;` runs the transform.
bool Scanner::member(Frame &cls, const Token &t)
{
    const bool name = t.kind == Kind::Ident || t.kind == Kind::String || t.kind == Kind::Number;
    const bool ctorName = t.text == u"constructor" || t.text == u"'constructor'" || t.text == u"\"constructor\"";
    // acorn refuses a special `constructor` (generator, accessor) and a
    // static `prototype`; QJSEngine 6.4 may not.
    if (name && cls.member != Frame::Start && cls.member != Frame::Params && cls.member != Frame::Body
        && (ctorName || t.text.contains(QLatin1String("prototype"))))
        return fail("a special constructor or a static prototype");
    switch (cls.member) {
    case Frame::Start:
        if (is(t, "}"))
            return close(u'{');
        cls.constructor = false;
        if (isIdent(t, "static"))
            cls.member = Frame::AfterStatic;
        else if (isIdent(t, "get") || isIdent(t, "set"))
            cls.member = Frame::AfterGetSet;
        else if (is(t, "*"))
            cls.member = Frame::Name;
        else if (name) {
            cls.member = Frame::Params;
            cls.constructor = ctorName;
            if (ctorName && cls.hasConstructor)
                return fail("a second constructor");
            cls.hasConstructor = cls.hasConstructor || ctorName;
        } else {
            return fail("class member");
        }
        return true;
    case Frame::AfterStatic:
    case Frame::AfterGetSet:
        if (is(t, "("))
            break;   // a method named static, get or set
        if (cls.member == Frame::AfterStatic && (isIdent(t, "get") || isIdent(t, "set"))) {
            cls.member = Frame::AfterGetSet;
            return true;
        }
        if (cls.member == Frame::AfterStatic && is(t, "*")) {
            cls.member = Frame::Name;
            return true;
        }
        if (!name)
            return fail("class field or static block");
        cls.member = Frame::Params;
        return true;
    case Frame::Name:
        if (!name)
            return fail("class member");
        cls.member = Frame::Params;
        return true;
    case Frame::Params:
        if (!is(t, "("))
            return fail("class field");
        break;
    case Frame::Body:
        if (!is(t, "{"))
            return fail("class member");
        cls.member = Frame::Start;
        pushMember(u'{', Frame::MemberBody, cls);
        return true;
    }
    // `(` of a method's parameters: ordinary code up to its `)`.
    cls.member = Frame::Body;
    pushMember(u'(', Frame::MemberParams, cls);
    return true;
}

// A method's parameters or body. A derived class's constructor counts from
// its parameters: an arrow in a default value is rewritten too
// (boundArrows asks for the owner function).
void Scanner::pushMember(QChar open, Frame::Role role, const Frame &cls)
{
    Frame frame{open, role};
    frame.derivedCtor = cls.constructor && cls.derived;
    if (frame.derivedCtor)
        ++m_derivedCtors;
    push(frame);
}

bool Scanner::close(QChar open)
{
    if (m_frames.empty() || m_frames.back().open != open)
        return fail("unbalanced brackets");
    if (m_frames.back().derivedCtor)
        --m_derivedCtors;
    if (m_frames.back().catchBody)
        m_catchParams.pop_back();
    m_closedAssigned = open == u'(' && m_frames.back().assigned;
    m_frames.pop_back();
    while (!m_watches.empty() && m_watches.back().depth > m_frames.size())
        m_watches.pop_back();
    return true;
}

bool Scanner::code(const Token &t)
{
    // A parameter default (refusals.js): an assignment directly inside a
    // function's parameters, or in parentheses that turn out an arrow's.
    const bool closedAssigned = std::exchange(m_closedAssigned, false);
    if (is(t, "=>") && closedAssigned)
        return fail("a default in an arrow's parameters");
    if (isAssignment(t) && !m_frames.empty() && m_frames.back().open == u'(') {
        if (m_frames.back().role == Frame::MemberParams || m_function == m_frames.size() - 1)
            return fail("a parameter default");
        m_frames.back().assigned = true;
    }
    const Token previous = std::exchange(m_previous, t);
    const auto functionName = [this](const Token &x) {
        return x.kind == Kind::Ident
            && std::find(m_functionNames.cbegin(), m_functionNames.cend(), x.text) != m_functionNames.cend();
    };
    if (((isAssignment(t) || is(t, "++") || is(t, "--")) && functionName(previous))
        || (functionName(t) && (is(previous, "++") || is(previous, "--"))))
        return fail("a store to a function's name");
    if (m_afterFunction && t.kind == Kind::Ident)
        m_functionNames.push_back(t.text);
    m_afterFunction = m_afterFunction && is(t, "*");
    if (m_afterArrow) {
        m_afterArrow = false;
        if (!is(t, "{"))
            m_watches.push_back({m_frames.size(), true});
    }
    if (isAssignment(t) && watched())
        return fail("a store in a return or an arrow's expression body");
    if (m_afterSuper && !is(t, ".") && !is(t, "[")) {
        // super(...): only as a statement of a derived class's constructor
        if (!is(t, "(") || m_frames.empty() || m_frames.back().role != Frame::MemberBody
            || !m_frames.back().derivedCtor)
            return fail("super( outside a derived class's constructor");
    }
    if (m_afterNew && is(t, "."))
        return fail("new.target");
    if (m_catch > 0) {
        // catch ( name ) {   — a pattern as the parameter: not sure
        const bool expected = (m_catch == 1 && is(t, "(")) || (m_catch == 2 && t.kind == Kind::Ident)
            || (m_catch == 3 && is(t, ")")) || (m_catch == 4 && is(t, "{"));
        if (!expected)
            return fail("catch parameter");
        if (m_catch == 2)
            m_catchName = t.text;
        if (m_catch == 4) {
            m_catch = 0;
            Frame body{u'{'};
            body.catchBody = true;
            m_catchParams.push_back(m_catchName);
            push(body);
            return true;
        }
        ++m_catch;
    }
    m_afterSuper = false;
    m_afterNew = false;
    switch (t.kind) {
    case Kind::Ident:
        if (m_afterDot)
            return true;
        m_afterDeclaration = !m_catchParams.empty()
            && (t.text == u"let" || t.text == u"const" || t.text == u"var" || t.text == u"class"
                || t.text == u"function");
        if (t.text == u"super") {
            if (m_function != noFunction || !innermostMethod())
                return fail("super outside a class method");
            m_afterSuper = true;
        } else if (t.text == u"new") {
            m_afterNew = true;
        } else if (t.text == u"function") {
            m_function = m_frames.size();
            m_afterFunction = true;
        } else if (t.text == u"catch") {
            m_catch = 1;
        } else if (t.text == u"class") {
            m_header = 1;
            m_headerDerived = false;
        } else if (t.text == u"return") {
            m_watches.push_back({m_frames.size(), false});
        }
        return true;
    case Kind::TemplateHead:
        push(Frame{u'`'});
        return true;
    case Kind::TemplateMiddle:
        return !m_frames.empty() && m_frames.back().open == u'`' ? true : fail("unbalanced template");
    case Kind::Template:
        return t.text.startsWith(u'`') ? true : close(u'`');
    case Kind::Punct:
        break;
    default:
        return true;
    }
    if (is(t, "=>")) {
        if (m_derivedCtors > 0)
            return fail("an arrow inside a derived class's constructor");
        m_afterArrow = true;
    } else if (is(t, ";")) {
        while (!m_watches.empty() && m_watches.back().depth >= m_frames.size())
            m_watches.pop_back();
    } else if (is(t, ",")) {
        while (!m_watches.empty() && m_watches.back().arrow && m_watches.back().depth >= m_frames.size())
            m_watches.pop_back();
    } else if (is(t, "{") && m_function == m_frames.size()) {
        m_function = noFunction;
        push(Frame{u'{', Frame::FunctionBody});
    } else if (is(t, "(") || is(t, "[") || is(t, "{")) {
        push(Frame{t.text.at(0)});
    } else if (is(t, ")")) {
        return close(u'(');
    } else if (is(t, "]")) {
        return close(u'[');
    } else if (is(t, "}")) {
        return close(u'{');
    }
    return true;
}

} // namespace

bool TransformSkip::unchanged(QStringView source, const char **reason)
{
    const char *why = nullptr;
    bool skip = false;
    if (!TransformSkip::textTrigger(source, &why)) {
        Scanner scanner(source);
        skip = scanner.run();
        why = scanner.reason;
    }
    if (reason)
        *reason = skip ? nullptr : why;
    return skip;
}
