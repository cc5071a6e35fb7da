#include "runtime/transformskiptext.h"

#include <array>
#include <vector>

// The text rules of transformskip.cpp (its table argues each one).

namespace TransformSkip {

namespace {

const struct
{
    const char16_t *text;
    const char *why;
} triggers[] = {
    {u"#", "#private name or #! line"},  {u"async", "async"},       {u"await", "await"},
    {u"...", "spread or rest"},          {u"?\?=", "logical assignment"}, {u"||=", "logical assignment"},
    {u"&&=", "logical assignment"},      {u"import", "import"},     {u"(?<", "regular expression group"},
    {u"\\k<", "regular expression group"}, {u"__proto__", "__proto__"}, {u"<!--", "HTML-like comment"},
    {u"-->", "HTML-like comment"},       {u"?.", "optional chaining"},
    {u"eval", "eval"},                   {u"Function", "the Function constructor"},
    {u"Proxy", "Proxy"},
};

// `catch` at `at` not followed (after white space) by `(`.
bool catchWithoutParenthesis(QStringView s, qsizetype at)
{
    qsizetype i = at + 5;
    while (i < s.size() && s.at(i).isSpace())
        ++i;
    return i >= s.size() || s.at(i) != u'(';
}

// The first trigger in the table's order, or the catch rule: what the
// answer names (the slow path; the transform runs after it anyway).
const char *firstReason(QStringView s)
{
    for (const auto &t : triggers) {
        if (s.contains(QStringView(t.text)))
            return t.why;
    }
    // Optional catch binding: every `catch` must be followed by `(`.
    for (qsizetype at = s.indexOf(u"catch"); at >= 0; at = s.indexOf(u"catch", at + 5)) {
        if (catchWithoutParenthesis(s, at))
            return "catch without (";
    }
    return nullptr;
}

// Whether any trigger occurs: one pass, looking further only where a
// rule's first character is (all of them ASCII), at the rules that start
// with it.
bool anyTrigger(QStringView s)
{
    static const auto byFirst = [] {
        std::array<std::vector<QStringView>, 128> rules;
        for (const auto &t : triggers)
            rules[t.text[0]].push_back(QStringView(t.text));
        return rules;
    }();
    const qsizetype n = s.size();
    const char16_t *c = s.utf16();
    for (qsizetype i = 0; i < n; ++i) {
        if (c[i] >= 128)
            continue;
        for (const QStringView rule : byFirst[c[i]]) {
            if (s.sliced(i).startsWith(rule))
                return true;
        }
        if (c[i] == u'c' && s.sliced(i).startsWith(u"catch") && catchWithoutParenthesis(s, i))
            return true;
    }
    return false;
}

} // namespace

// Text that alone means "run the transform".
bool textTrigger(QStringView s, const char **reason)
{
    if (!anyTrigger(s))
        return false;
    *reason = firstReason(s);
    // anyTrigger() and firstReason() read the same table; should they ever
    // disagree, the transform runs (the safe side).
    if (!*reason)
        *reason = "text rule";
    return true;
}

const char *textTriggerReference(QStringView s)
{
    return firstReason(s);
}

} // namespace TransformSkip
