#include "cloudserver/metricscommand.h"

#include "cloudserver/adminclient.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

int metricsCommand(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("The latest driver_metrics of each controller, or of controller ID."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("Only this controller."), QStringLiteral("[ID]"));
    p.addOption({QStringLiteral("admin-socket"), QStringLiteral("Admin socket of the running control-cloud."), QStringLiteral("path")});
    p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON.")});
    if (!p.parse(args) || p.positionalArguments().size() > 1) {
        std::fprintf(stderr, "control-cloud: %s\n",
                     qPrintable(p.errorText().isEmpty() ? QStringLiteral("usage: control-cloud metrics [ID] [--json]") : p.errorText()));
        return 2;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return 0;
    }
    const QString id = p.positionalArguments().value(0);
    QString error;
    const QJsonObject answer = AdminClient::ask(AdminClient::socketPath(p.value(QStringLiteral("admin-socket"))),
                                                {{QStringLiteral("op"), QStringLiteral("metrics")},
                                                 {QStringLiteral("controller_id"), id}},
                                                10000, &error);
    if (error.isEmpty() && !answer.value(QStringLiteral("ok")).toBool())
        error = answer.value(QStringLiteral("error")).toString();
    if (!error.isEmpty()) {
        std::fprintf(stderr, "control-cloud: %s\n", qPrintable(error));
        return 1;
    }
    if (p.isSet(QStringLiteral("json"))) {
        std::printf("%s\n", QJsonDocument(answer).toJson(QJsonDocument::Indented).constData());
        return 0;
    }
    for (const QJsonValue &c : answer.value(QStringLiteral("metrics")).toArray()) {
        std::printf("controller %s (received %s, every %d s)\n", qPrintable(c[QStringLiteral("controller_id")].toString()),
                    qPrintable(c[QStringLiteral("received_at")].toString()), c[QStringLiteral("interval_s")].toInt());
        for (const QJsonValue &d : c[QStringLiteral("drivers")].toArray()) {
            std::printf("  %s  host %.1f MiB, %.1f %% CPU, %d restarts\n",
                        qPrintable(AdminClient::column(d[QStringLiteral("driver_type")].toString(), 30)),
                        d[QStringLiteral("host_rss_bytes")].toDouble() / 1048576.0, d[QStringLiteral("host_cpu_percent")].toDouble(),
                        d[QStringLiteral("restarts")].toInt());
            for (const QJsonValue &f : d[QStringLiteral("devices")].toArray())
                std::printf("    %s  %d calls, %d errors, %d timeouts, p50 %.3f ms, p99 %.3f ms\n",
                            qPrintable(AdminClient::column(f[QStringLiteral("device_id")].toString(), 28)),
                            f[QStringLiteral("calls")].toInt(), f[QStringLiteral("errors")].toInt(),
                            f[QStringLiteral("timeouts")].toInt(), f[QStringLiteral("call_ms_p50")].toDouble(),
                            f[QStringLiteral("call_ms_p99")].toDouble());
        }
    }
    return 0;
}
