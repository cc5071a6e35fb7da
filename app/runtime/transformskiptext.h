// TransformSkip's text rules: text that alone means "run the transform"
// (transformskip.cpp argues each one).
#pragma once

#include <QStringView>

namespace TransformSkip {

// True when `s` holds such text; *reason names it. One pass over the text
// (the rules' first characters), then the rules in their order for the
// reason.
bool textTrigger(QStringView s, const char **reason);

// The rules one by one, each over the whole text: what textTrigger() must
// agree with (tst_transform). Null when none holds.
const char *textTriggerReference(QStringView s);

} // namespace TransformSkip
