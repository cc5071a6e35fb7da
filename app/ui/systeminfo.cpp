#include "ui/systeminfo.h"

#include "controller/controller.h"
#include "hosts/driverhostpool.h"
#include "ui/dashboard.h"

#include <QFile>
#include <QLocale>
#include <QNetworkInterface>
#include <QStorageInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

#include <unistd.h>

namespace {

// Seconds since boot (/proc/uptime), and since this process started
// (/proc/self/stat field 22, in clock ticks after boot).
void readUptimes(qint64 *system, qint64 *app)
{
    QFile uptime(QStringLiteral("/proc/uptime"));
    if (!uptime.open(QIODevice::ReadOnly))
        return;
    const double sinceBoot = QString::fromLatin1(uptime.readAll()).section(QLatin1Char(' '), 0, 0).toDouble();
    *system = qint64(sinceBoot);
    QFile stat(QStringLiteral("/proc/self/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return;
    const QByteArray line = stat.readAll();
    // The command name may hold spaces: count fields after its ')'.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (fields.size() > 19 && ticks > 0)
        *app = qint64(sinceBoot - fields.at(19).toDouble() / double(ticks));
}

} // namespace

SystemInfo::SystemInfo(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, &SystemInfo::refresh);
    connect(&m_watcher, &QFutureWatcher<Snapshot>::finished, this, [this] { apply(m_watcher.result()); });
}

SystemInfo::~SystemInfo()
{
    m_watcher.waitForFinished();   // the worker only reads the system: short
}

void SystemInfo::setDashboard(Dashboard *dashboard)
{
    if (dashboard == m_dashboard)
        return;
    m_dashboard = dashboard;
    emit dashboardChanged();
    if (active())
        refresh();
}

void SystemInfo::setActive(bool active)
{
    if (active == this->active())
        return;
    if (active) {
        m_timer.start();
        refresh();   // at once, not after the first interval
    } else {
        m_timer.stop();
    }
    emit activeChanged();
}

void SystemInfo::setIntervalMs(int ms)
{
    if (ms == m_timer.interval() || ms < 100)
        return;
    m_timer.setInterval(ms);
    emit intervalMsChanged();
}

QString SystemInfo::rootPath() const
{
    return m_dashboard ? m_dashboard->controller()->layout().root() : QString();
}

QString SystemInfo::sizeText(qint64 bytes) const
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

SystemInfo::Snapshot SystemInfo::read(const QString &root)
{
    Snapshot s;
    const QList<QNetworkInterface> all = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &i : all) {
        if (i.type() == QNetworkInterface::Loopback)
            continue;
        QStringList addresses;
        for (const QNetworkAddressEntry &a : i.addressEntries()) {
            QHostAddress ip = a.ip();
            ip.setScopeId({});
            addresses << ip.toString() + QLatin1Char('/') + QString::number(a.prefixLength());
        }
        s.interfaces << QVariantMap{{QStringLiteral("name"), i.humanReadableName()},
                                    {QStringLiteral("mac"), i.hardwareAddress()},
                                    {QStringLiteral("up"), i.flags().testFlag(QNetworkInterface::IsUp)
                                                               && i.flags().testFlag(QNetworkInterface::IsRunning)},
                                    {QStringLiteral("addresses"), addresses}};
    }
    // Interfaces that are up first: those are the ones a technician looks for.
    std::stable_sort(s.interfaces.begin(), s.interfaces.end(), [](const QVariant &a, const QVariant &b) {
        return a.toMap().value(QStringLiteral("up")).toBool() && !b.toMap().value(QStringLiteral("up")).toBool();
    });
    const QStorageInfo disk(root);
    s.diskFree = disk.bytesAvailable();
    s.diskTotal = disk.bytesTotal();
    readUptimes(&s.systemUptimeS, &s.appUptimeS);
    return s;
}

void SystemInfo::refresh()
{
    if (!m_dashboard || m_watcher.isRunning())
        return;
    // The host figures are cached by the pool: read here, on its thread.
    m_hosts.clear();
    const QList<DriverHostFigures> figures = m_dashboard->controller()->driverHosts()->figures();
    for (const DriverHostFigures &f : figures) {
        m_hosts << QVariantMap{{QStringLiteral("driverType"), f.driverType},
                               {QStringLiteral("pid"), f.pid},
                               {QStringLiteral("memoryText"), f.pid > 0 ? sizeText(f.residentBytes) : QString()},
                               {QStringLiteral("devices"), f.devices},
                               {QStringLiteral("restarts"), f.restarts}};
    }
    m_watcher.setFuture(QtConcurrent::run(&SystemInfo::read, rootPath()));
}

void SystemInfo::apply(const Snapshot &snapshot)
{
    m_interfaces = snapshot.interfaces;
    m_diskFree = snapshot.diskFree;
    m_diskTotal = snapshot.diskTotal;
    m_systemUptimeS = snapshot.systemUptimeS;
    m_appUptimeS = snapshot.appUptimeS;
    ++m_refreshCount;
    emit refreshed();
}
