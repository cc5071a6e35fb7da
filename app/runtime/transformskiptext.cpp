#include "runtime/transformskiptext.h"

// The text rules of transformskip.cpp (its table argues each one).

namespace TransformSkip {

// Text that alone means "run the transform".
bool textTrigger(QStringView s, const char **reason)
{
    static const struct
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
    for (const auto &t : triggers) {
        if (s.contains(QStringView(t.text))) {
            *reason = t.why;
            return true;
        }
    }
    // Optional catch binding: every `catch` must be followed by `(`.
    for (qsizetype at = s.indexOf(u"catch"); at >= 0; at = s.indexOf(u"catch", at + 5)) {
        qsizetype i = at + 5;
        while (i < s.size() && s.at(i).isSpace())
            ++i;
        if (i >= s.size() || s.at(i) != u'(') {
            *reason = "catch without (";
            return true;
        }
    }
    return false;
}

} // namespace TransformSkip
