// PROTOCOL.md "Signed drivers" on the controller: the trusted keys (one
// `key_id base64-public-key` per line) and the rule applied to every
// driver_sync before anything is written. Runs on the sync thread.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

struct DriverSyncRequest;

struct SignatureVerdict
{
    bool accepted = false;
    QString keyId;    // the key that verified it; empty for an accepted unsigned driver
    QString error;    // when refused: starts with "Invalid signature:"
};

class SignatureCheck
{
public:
    SignatureCheck() = default;
    SignatureCheck(QHash<QString, QByteArray> keys, bool required) : m_keys(std::move(keys)), m_required(required) {}

    // Reads a trusted-keys file: blank lines and lines starting with '#'
    // are skipped; every other line is `key_id base64`, the key 32 raw bytes.
    static QString loadKeys(const QString &path, QHash<QString, QByteArray> *keys);

    SignatureVerdict check(const DriverSyncRequest &request) const;
    bool required() const { return m_required; }
    int keyCount() const { return int(m_keys.size()); }

private:
    QHash<QString, QByteArray> m_keys;   // key_id → raw Ed25519 public key
    bool m_required = false;
};
