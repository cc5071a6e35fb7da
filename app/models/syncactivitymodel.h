// The recent driver syncs with their steps as they happen and their outcome
// (newest first, at most 50), for the dashboard's activity view.
#pragma once

#include <QAbstractListModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>

class DriverSyncService;

class SyncActivityModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        SyncIdRole = Qt::UserRole + 1,
        DriverTypeRole,
        VersionRole,
        StepRole,          // saving_file, validating, storing, reloading_devices
        OutcomeRole,       // in_progress, completed, failed
        ErrorMessageRole,
        StartedAtRole,
        FinishedAtRole,
    };
    Q_ENUM(Roles)

    explicit SyncActivityModel(DriverSyncService *sync, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    static constexpr int maxRows = 50;

signals:
    void countChanged();

private:
    struct Entry
    {
        QString syncId;
        QString driverType;
        QString version;
        QString step;
        QString outcome = QStringLiteral("in_progress");
        QString errorMessage;
        QDateTime startedAt;
        QDateTime finishedAt;
    };

    int rowOf(const QString &syncId) const;
    int ensureRow(const QString &syncId);
    void changed(int row);

    QList<Entry> m_entries;
};
