// Picks the dashboard's translation: --lang, else the system locale, else
// English (so that plurals read right even under the C locale).
#pragma once

#include <QString>

class QTranslator;

namespace Translations {
// Loads into `translator` from :/i18n; returns the language loaded or empty.
QString load(QTranslator &translator, const QString &language);
}
