// Text from outside (a driver, the cloud) made safe for one log line: a
// line end or any other control character in it could otherwise start a
// forged line ("x\n… nuc.cloud: FORGED") or rewrite the terminal.
#pragma once

#include <QString>

namespace LogText {

// `text` with every control character written out: \n, \r and \t as those
// two characters, any other C0 control, DEL and C1 control as \xHH, and the
// Unicode line and paragraph separators as \u2028 and \u2029. Everything
// else, backslashes included, stays as it is.
QString escaped(const QString &text);

// Whether `text` holds a character escaped() would write out.
bool hasControl(const QString &text);

} // namespace LogText
