// Secrets (cloud token, technician PIN, database password) read from a file
// rather than a command line, where every local user sees them in `ps`.
#pragma once

#include <QString>

namespace SecretFile {

// Reads `path`; its content, trimmed, goes to `*secret`. A file that its
// group or others may read is refused: a secret there is not one. Returns an
// error line or empty.
QString read(const QString &path, QString *secret);

// The same for a file systemd placed in $CREDENTIALS_DIRECTORY
// (LoadCredential=): systemd keeps that folder private to the service, so
// the file's mode is not checked. An absent file is not an error: `*found`
// says whether there was one.
QString readCredential(const QString &credentialsDir, const QString &name, QString *secret, bool *found);

// The warning for a secret given as an option: `option` without dashes,
// `instead` names the safer ways.
QString commandLineWarning(const QString &option, const QString &instead);

} // namespace SecretFile
