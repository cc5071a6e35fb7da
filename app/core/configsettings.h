// The table of controller settings: each one's key (command line option, INI
// key, and CONTROL_NUC_<KEY> environment variable), help text and checked
// parser. ConfigLoader (core/config.h) applies them in order of precedence.
#pragma once

#include "core/config.h"

#include <QString>

#include <functional>
#include <vector>

namespace ConfigSettings {

// One configurable setting; `apply` stores a checked value into the Config or
// returns an error text (empty: ok).
struct Setting
{
    QString key;
    QString valueName;   // empty: a switch (--key alone means true)
    QString description;
    std::function<QString(Config &, const QString &)> apply;
};

// Secrets systemd hands over with LoadCredential=NAME:… in the unit.
struct Credential
{
    const char *name;
    QString (*apply)(Config &, const QString &);
};

std::vector<Setting> settings();
const std::vector<Credential> &credentials();
QString envName(const QString &key);
QString parseBool(const QString &v, bool *out);

} // namespace ConfigSettings
