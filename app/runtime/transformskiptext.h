// TransformSkip's text rules: text that alone means "run the transform"
// (transformskip.cpp argues each one).
#pragma once

#include <QStringView>

namespace TransformSkip {

// True when `s` holds such text; *reason names it.
bool textTrigger(QStringView s, const char **reason);

} // namespace TransformSkip
