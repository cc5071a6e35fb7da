#include "runtime/jslexer.h"

#include <QString>

namespace JsLexer {

namespace {

// Longest first: the lexer takes the first that matches.
const char *const punctuators[] = {
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "?\?=", "=>", "==", "!=", "<=", ">=",
    "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", ">>",
    "{", "}", "(", ")", "[", "]", ";", ",", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "?",
    ":", "=", "."};


bool isLineTerminator(QChar c)
{
    return c == u'\n' || c == u'\r' || c == QChar(0x2028) || c == QChar(0x2029);
}

bool isIdentifierChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'$' || (c.unicode() >= 0x80 && !c.isSpace());
}

// An escape acorn and QJSEngine read alike outside a class: a class
// escape, a control character, or an ASCII punctuation character itself.
bool simpleEscape(QChar e)
{
    return QStringView(u"dDwWsSbBnrtfv").contains(e) || (e.unicode() < 128 && e.unicode() > 32 && !e.isLetterOrNumber());
}

// A regular expression pattern that acorn surely accepts: literal
// characters, simple escapes, classes (ranges only between two plain
// characters, in order), balanced groups
// (plain, ?:, ?= and ?!), and * + ? (lazy or not) after something that may
// be repeated. Anything else ({n,m}, ranges, backreferences, \c, \x, \u,
// a quantified assertion ...) is for acorn to judge: acorn checks patterns
// when it parses, QJSEngine only when the literal runs.
bool simplePattern(QStringView p)
{
    std::vector<bool> lookahead;   // per open group
    bool repeatable = false;
    for (qsizetype i = 0; i < p.size(); ++i) {
        const QChar c = p.at(i);
        if (c == u'\\') {
            if (++i >= p.size() || !simpleEscape(p.at(i)))
                return false;
            repeatable = p.at(i) != u'b' && p.at(i) != u'B';
        } else if (c == u'[') {
            if (i + 1 < p.size() && p.at(i + 1) == u'^')
                ++i;
            QChar previous;   // the last plain character (a range's start)
            for (++i; i < p.size() && p.at(i) != u']'; ++i) {
                const QChar k = p.at(i);
                if (k == u'\\') {
                    if (++i >= p.size() || !simpleEscape(p.at(i)) || p.at(i) == u'B')
                        return false;
                    previous = QChar();
                } else if (k == u'-' && i + 1 < p.size() && p.at(i + 1) != u']') {
                    // a range: only between two plain characters, in order
                    const QChar end = p.at(++i);
                    if (previous.isNull() || end == u'\\' || end < previous)
                        return false;
                    previous = QChar();
                } else {
                    previous = k;
                }
            }
            if (i >= p.size())
                return false;
            repeatable = true;
        } else if (c == u'(') {
            bool assertion = false;
            if (i + 1 < p.size() && p.at(i + 1) == u'?') {
                const QChar k = i + 2 < p.size() ? p.at(i + 2) : QChar();
                if (k != u':' && k != u'=' && k != u'!')
                    return false;
                assertion = k != u':';
                i += 2;
            }
            lookahead.push_back(assertion);
            repeatable = false;
        } else if (c == u')') {
            if (lookahead.empty())
                return false;
            repeatable = !lookahead.back();
            lookahead.pop_back();
        } else if (c == u'*' || c == u'+' || c == u'?') {
            if (!repeatable)
                return false;
            if (i + 1 < p.size() && p.at(i + 1) == u'?')
                ++i;   // lazy
            repeatable = false;
        } else if (c == u'{' || c == u'}' || c == u']') {
            return false;
        } else {
            repeatable = c != u'|' && c != u'^' && c != u'$';
        }
    }
    return lookahead.empty();
}

} // namespace

bool isAssignment(const Token &t)
{
    if (t.kind != Kind::Punct || !t.text.endsWith(QLatin1Char('=')))
        return false;
    return !(t.text == u"==" || t.text == u"===" || t.text == u"!=" || t.text == u"!==" || t.text == u"<="
             || t.text == u">=");
}


// Digits with a dot and an exponent's e, or 0x/0o/0b and their digits:
// nothing QJSEngine could read as a number followed by a word.
static bool plainNumber(QStringView text)
{
    if (text.size() > 2 && text.at(0) == u'0') {
        const QChar base = text.at(1).toLower();
        if (base == u'x' || base == u'o' || base == u'b') {
            for (qsizetype i = 2; i < text.size(); ++i) {
                const QChar c = text.at(i).toLower();
                const bool digit = base == u'x' ? (c.isDigit() || (c >= u'a' && c <= u'f'))
                                 : base == u'o' ? (c >= u'0' && c <= u'7') : (c == u'0' || c == u'1');
                if (!digit)
                    return false;
            }
            return true;
        }
    }
    for (const QChar c : text) {
        if (!c.isDigit() && c != u'.' && c != u'e' && c != u'E')
            return false;
    }
    return true;
}

bool Lexer::skipSpaceAndComments()
{
    m_newline = false;
    while (m_pos < m_s.size()) {
        const QChar c = m_s.at(m_pos);
        if (c.isSpace() || c == QChar(0xFEFF) || isLineTerminator(c)) {
            if (isLineTerminator(c))
                m_newline = true;
            ++m_pos;
        } else if (c == u'/' && at(m_pos + 1) == u'/') {
            while (m_pos < m_s.size() && !isLineTerminator(m_s.at(m_pos)))
                ++m_pos;
        } else if (c == u'/' && at(m_pos + 1) == u'*') {
            const qsizetype end = m_s.indexOf(QLatin1String("*/"), m_pos + 2);
            if (end < 0)
                return fail("unterminated comment");
            for (qsizetype i = m_pos + 2; i < end; ++i) {
                if (isLineTerminator(m_s.at(i)))
                    m_newline = true;
            }
            m_pos = end + 2;
        } else {
            return true;
        }
    }
    return true;
}

// A `/` begins a regular expression where an expression may begin.
int Lexer::regexAllowed() const
{
    static const char *const beforeExpression[] = {"return", "typeof", "instanceof", "in", "new", "delete", "void",
                                                   "throw", "case", "do", "else", "extends"};
    switch (m_prev.kind) {
    case Kind::End:
    case Kind::TemplateHead:
    case Kind::TemplateMiddle:
        return 1;
    case Kind::Number:
    case Kind::String:
    case Kind::Template:
    case Kind::Regex:
        return 0;
    case Kind::Ident:
        // QJSEngine 6.4's lexer drops a `/` after the word `function`
        // (where it looks for a generator's `*`), also after a dot, so it
        // reads what follows differently from the spec and from us.
        if (m_prev.text == u"function")
            return -1;
        if (m_prevDot)
            return 0;
        // `yield` and `await` are operators in generators and async
        // functions and plain names elsewhere (sloppy code), where a `/`
        // after them divides: the lexer cannot tell which.
        if (m_prev.text == u"of" || m_prev.text == u"let" || m_prev.text == u"yield" || m_prev.text == u"await")
            return -1;
        for (const char *k : beforeExpression) {
            if (m_prev.text == QLatin1String(k))
                return 1;
        }
        // A name that may end a statement (`debugger`, `break LABEL`, `var
        // a`) and a line break: ASI makes the `/` a regex there, while
        // after an expression it divides.
        return m_newline ? -1 : 0;
    case Kind::Punct:
        if (m_prev.text == u")")
            return m_prevControlParen ? 1 : 0;
        if (m_prev.text == u"]")
            return 0;
        if (m_prev.text == u"}" || m_prev.text == u"++" || m_prev.text == u"--")
            return -1;   // block or object literal; postfix or prefix
        return 1;
    }
    return -1;
}

bool Lexer::quoted(Token *t)
{
    const qsizetype start = m_pos;
    const QChar quote = m_s.at(m_pos++);
    while (m_pos < m_s.size()) {
        const QChar c = m_s.at(m_pos++);
        if (c == quote) {
            *t = {Kind::String, m_s.mid(start, m_pos - start)};
            return true;
        }
        if (c == u'\\')
            m_pos += at(m_pos) == u'\r' && at(m_pos + 1) == u'\n' ? 2 : 1;   // the escaped character, or a line continuation's \r\n
        else if (c == u'\n' || c == u'\r')
            return fail("unterminated string");
    }
    return fail("unterminated string");
}

// From just after the `` ` `` or the `}` that resumes a template.
bool Lexer::templatePart(Token *t, qsizetype start)
{
    const bool head = m_s.at(start) == u'`';
    while (m_pos < m_s.size()) {
        const QChar c = m_s.at(m_pos++);
        if (c == u'\\') {
            ++m_pos;
        } else if (c == u'`') {
            *t = {Kind::Template, m_s.mid(start, m_pos - start)};
            return true;
        } else if (c == u'$' && at(m_pos) == u'{') {
            ++m_pos;
            m_templates.push_back(++m_braces);
            *t = {head ? Kind::TemplateHead : Kind::TemplateMiddle, m_s.mid(start, m_pos - start)};
            return true;
        }
    }
    return fail("unterminated template literal");
}

bool Lexer::regex(Token *t)
{
    const qsizetype start = m_pos++;
    bool inClass = false;
    for (;;) {
        if (m_pos >= m_s.size() || isLineTerminator(m_s.at(m_pos)))
            return fail("unterminated regular expression");
        const QChar c = m_s.at(m_pos++);
        if (c == u'\\')
            ++m_pos;
        else if (c == u'[')
            inClass = true;
        else if (c == u']')
            inClass = false;
        else if (c == u'/' && !inClass)
            break;
    }
    if (!simplePattern(m_s.mid(start + 1, m_pos - start - 2)))
        return fail("a regular expression acorn would check");
    // Flags: s and d are refused; u and v change what the pattern means
    // (and what acorn checks): only the ES5 ones pass, each once.
    const qsizetype flags = m_pos;
    while (m_pos < m_s.size() && isIdentifierChar(m_s.at(m_pos))) {
        const QChar f = m_s.at(m_pos++);
        if ((f != u'g' && f != u'i' && f != u'm' && f != u'y') || m_s.mid(flags, m_pos - flags - 1).contains(f))
            return fail("regular expression flag");
    }
    *t = {Kind::Regex, m_s.mid(start, m_pos - start)};
    return true;
}

void Lexer::remember(const Token &t)
{
    const bool prevAfterDot = m_prevDot;
    m_prevDot = is(m_prev, ".") || is(m_prev, "?.");
    m_prevControlParen = false;
    if (is(t, "(")) {
        m_parens.push_back(m_prev.kind == Kind::Ident && !prevAfterDot
                           && (m_prev.text == u"if" || m_prev.text == u"while" || m_prev.text == u"for"
                               || m_prev.text == u"with"));
    } else if (is(t, ")") && !m_parens.empty()) {
        m_prevControlParen = m_parens.back();
        m_parens.pop_back();
    }
    m_prev = t;
}

bool Lexer::next(Token *t)
{
    if (!skipSpaceAndComments())
        return false;
    if (m_pos >= m_s.size()) {
        *t = {};
        return true;
    }
    const bool newline = m_newline;
    const qsizetype start = m_pos;
    const QChar c = m_s.at(m_pos);
    if (c == u'\\')
        return fail("escape in an identifier");
    if (c.isDigit() || (c == u'.' && at(m_pos + 1).isDigit())) {
        while (m_pos < m_s.size() && (isIdentifierChar(m_s.at(m_pos)) || m_s.at(m_pos) == u'.'))
            ++m_pos;
        *t = {Kind::Number, m_s.mid(start, m_pos - start)};
        if (t->text.contains(u'_'))
            return fail("numeric separator");
        if (t->text.contains(u'n'))
            return fail("BigInt literal");
        if (!plainNumber(t->text))
            return fail("a number glued to a word");   // QJSEngine splits `1in` into `1 in`
    } else if (isIdentifierChar(c)) {
        while (m_pos < m_s.size() && isIdentifierChar(m_s.at(m_pos)))
            ++m_pos;
        if (at(m_pos) == u'\\')
            return fail("escape in an identifier");
        *t = {Kind::Ident, m_s.mid(start, m_pos - start)};
        // The transformer refuses the characters QJSEngine 6.4 cannot read
        // in an identifier (refusals.js); any non-ASCII one that is not a
        // plain letter or digit runs it.
        for (const QChar ch : t->text) {
            const char16_t u = ch.unicode();
            if (u >= 0x80 && (!ch.isLetterOrNumber() || (u >= 0x1369 && u <= 0x1371) || u == 0x19DA))
                return fail("a character in an identifier QJSEngine may not read");
        }
    } else if (c == u'"' || c == u'\'') {
        if (!quoted(t))
            return false;
    } else if (c == u'`') {
        ++m_pos;
        if (!templatePart(t, start))
            return false;
    } else if (c == u'}' && !m_templates.empty() && m_templates.back() == m_braces) {
        m_templates.pop_back();
        --m_braces;
        ++m_pos;
        if (!templatePart(t, start))
            return false;
    } else if (c == u'/') {
        const int allowed = regexAllowed();
        if (allowed < 0)
            return fail("a / that may begin a regular expression");
        if (allowed > 0 && !regex(t))
            return false;
        if (allowed == 0) {
            m_pos += at(m_pos + 1) == u'=' ? 2 : 1;
            *t = {Kind::Punct, m_s.mid(start, m_pos - start)};
        }
    } else {
        const QStringView rest = m_s.mid(m_pos);
        const char *found = nullptr;
        for (const char *p : punctuators) {
            if (QLatin1Char(p[0]) == c && rest.startsWith(QLatin1String(p))) {
                found = p;
                break;
            }
        }
        if (!found)
            return fail("a character the scanner does not know");
        if (QLatin1String(found) == QLatin1String("?.") && at(m_pos + 2).isDigit())
            found = "?";   // a ? .5 : b
        m_pos += qsizetype(qstrlen(found));
        *t = {Kind::Punct, m_s.mid(start, m_pos - start)};
        if (is(*t, "{"))
            ++m_braces;
        else if (is(*t, "}") && --m_braces < 0)
            return fail("unbalanced }");
    }
    t->newlineBefore = newline;
    remember(*t);
    return true;
}


} // namespace JsLexer
