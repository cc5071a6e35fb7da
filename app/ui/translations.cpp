#include "ui/translations.h"

#include <QLocale>
#include <QTranslator>

QString Translations::load(QTranslator &translator, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    const QString prefix = QStringLiteral("control-nuc");
    if (translator.load(locale, prefix, QStringLiteral("_"), QStringLiteral(":/i18n")))
        return translator.language();
    if (translator.load(QLocale(QLocale::English), prefix, QStringLiteral("_"), QStringLiteral(":/i18n")))
        return translator.language();
    return {};
}
