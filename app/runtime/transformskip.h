// Decides from the source text alone, without acorn, that DriverTransformer
// would change nothing and refuse nothing, so that the rewrite (≈ 10 ms of
// parsing in QJSEngine for a 5 KB driver) can be skipped. Sound by
// construction: every rule over-approximates what one pass of
// resources/js/transform/ acts on, and whatever the scanner does not fully
// understand means "run the transform". transformskip.cpp argues each rule.
//
// What it cannot see is a syntax error: a skipped source is not parsed by
// acorn, so a broken one reaches QJSEngine instead. The sync pipeline and
// --check-driver re-run the real transform (TransformMode::Full) whenever a
// source the transform left unchanged fails validation, so the refusal text
// stays the transformer's.
#pragma once

#include <QStringView>

namespace TransformSkip {

// True when the transform may be skipped; otherwise *reason (when given)
// names the first trigger found, e.g. "async", "class field".
bool unchanged(QStringView source, const char **reason = nullptr);

} // namespace TransformSkip
