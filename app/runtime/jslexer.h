// A small JavaScript lexer for TransformSkip: tokens with strings,
// template literals (and their substitutions), comments and regular
// expression literals told apart. It gives up (next() returns false, with
// a reason) wherever it is not sure, e.g. a `/` after `}`: its callers then
// take the safe path.
#pragma once

#include <QString>
#include <QStringView>

#include <vector>

namespace JsLexer {

enum class Kind { End, Ident, Number, String, Template, TemplateHead, TemplateMiddle, Regex, Punct };

struct Token
{
    Kind kind = Kind::End;
    QStringView text;
    bool newlineBefore = false;   // a line terminator (or a comment holding one) came before it
};

inline bool is(const Token &t, const char *punct)
{
    return t.kind == Kind::Punct && t.text == QLatin1String(punct);
}

inline bool isIdent(const Token &t, const char *name)
{
    return t.kind == Kind::Ident && t.text == QLatin1String(name);
}

// `=`, `+=`, `??=` ... (not `==`, `<=`, `=>`).
bool isAssignment(const Token &t);

class Lexer
{
public:
    explicit Lexer(QStringView source) : m_s(source) {}

    // false: not sure what comes next (`reason` says why). At the end: a
    // token of kind End.
    bool next(Token *t);
    const char *reason = nullptr;

private:
    bool fail(const char *why)
    {
        reason = why;
        return false;
    }
    QChar at(qsizetype i) const { return i < m_s.size() ? m_s.at(i) : QChar(); }
    bool skipSpaceAndComments();
    bool quoted(Token *t);
    bool templatePart(Token *t, qsizetype start);
    bool regex(Token *t);
    int regexAllowed() const;   // 1 regex, 0 division, -1 not sure
    void remember(const Token &t);

    QStringView m_s;
    qsizetype m_pos = 0;
    Token m_prev;
    bool m_prevDot = false;
    bool m_newline = false;               // skipSpaceAndComments() passed a line terminator
    bool m_prevControlParen = false;      // `)` closing if/while/for/with (...)
    std::vector<bool> m_parens;           // per open `(`: after if/while/for/with
    int m_braces = 0;
    std::vector<int> m_templates;         // m_braces at each open `${`
};

} // namespace JsLexer
