// device-simulator: serves DeviceSimulator on 127.0.0.1 until SIGINT/SIGTERM.
// Prints "device-simulator: tcp 127.0.0.1:PORT udp 127.0.0.1:PORT" on stdout
// once listening. Exit status: 0 after a signal, 2 for a bad argument, 1 when
// it cannot listen. See docs/simulator.md.
#include "simulator/devicesimulator.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &c, 1);
}

int badArgument(const QString &message)
{
    std::fprintf(stderr, "device-simulator: %s\n", qPrintable(message));
    return 2;
}

// "off" -> DeviceSimulator::Off, "0".."65535" -> the port, anything else: nothing.
std::optional<int> parsePort(const QString &text)
{
    if (text == QStringLiteral("off"))
        return DeviceSimulator::Off;
    bool ok = false;
    const int port = text.toInt(&ok);
    if (!ok || port < 0 || port > 65535)
        return std::nullopt;
    return port;
}

std::optional<int> parseNumber(const QString &text, int min, int max)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < min || value > max)
        return std::nullopt;
    return value;
}

QString endpoint(quint16 port)
{
    return port ? QStringLiteral("127.0.0.1:%1").arg(port) : QStringLiteral("off");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("device-simulator"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A fake AV device: answers a line protocol over TCP and UDP on 127.0.0.1."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption tcpPortOption(QStringLiteral("tcp-port"),
        QStringLiteral("TCP port; 0: any free port (default), off: no TCP."), QStringLiteral("port"));
    const QCommandLineOption udpPortOption(QStringLiteral("udp-port"),
        QStringLiteral("UDP port; 0: any free port (default), off: no UDP."), QStringLiteral("port"));
    const QCommandLineOption repliesOption(QStringLiteral("replies"),
        QStringLiteral("JSON file of replies: {\"replies\": {\"REQ\": \"REPLY\"}, \"builtins\": true, \"unknown\": \"...\"}."),
        QStringLiteral("file"));
    const QCommandLineOption terminatorOption(QStringLiteral("terminator"),
        QStringLiteral("End of a request and of a reply: cr (default), lf or crlf."), QStringLiteral("cr|lf|crlf"));
    const QCommandLineOption dropAfterOption(QStringLiteral("fault-drop-after"),
        QStringLiteral("Close each TCP connection once its N-th command is answered."), QStringLiteral("n"));
    const QCommandLineOption silentOption(QStringLiteral("fault-silent"),
        QStringLiteral("Swallow every request; answer nothing."));
    const QCommandLineOption refuseOption(QStringLiteral("fault-refuse"),
        QStringLiteral("Close each TCP connection as soon as it is accepted."));
    const QCommandLineOption delayOption(QStringLiteral("fault-delay-ms"),
        QStringLiteral("Send each reply this many milliseconds after its request."), QStringLiteral("ms"));
    const QCommandLineOption bannerOption(QStringLiteral("banner"),
        QStringLiteral("Greeting line sent to each TCP client on connect."), QStringLiteral("text"));
    parser.addOptions({tcpPortOption, udpPortOption, repliesOption, terminatorOption, dropAfterOption,
                       silentOption, refuseOption, delayOption, bannerOption});

    if (!parser.parse(QCoreApplication::arguments()))
        return badArgument(parser.errorText());
    if (parser.isSet(helpOption)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return badArgument(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));

    int tcpPort = 0;
    int udpPort = 0;
    if (parser.isSet(tcpPortOption)) {
        const std::optional<int> port = parsePort(parser.value(tcpPortOption));
        if (!port)
            return badArgument(QStringLiteral("--tcp-port: expected a port from 0 to 65535 or off, got '%1'")
                                   .arg(parser.value(tcpPortOption)));
        tcpPort = *port;
    }
    if (parser.isSet(udpPortOption)) {
        const std::optional<int> port = parsePort(parser.value(udpPortOption));
        if (!port)
            return badArgument(QStringLiteral("--udp-port: expected a port from 0 to 65535 or off, got '%1'")
                                   .arg(parser.value(udpPortOption)));
        udpPort = *port;
    }
    if (tcpPort == DeviceSimulator::Off && udpPort == DeviceSimulator::Off)
        return badArgument(QStringLiteral("--tcp-port and --udp-port are both off: nothing to serve"));

    DeviceSimulator simulator;
    if (parser.isSet(terminatorOption)) {
        const QString name = parser.value(terminatorOption);
        if (name == QStringLiteral("cr"))
            simulator.setTerminator(QByteArrayLiteral("\r"));
        else if (name == QStringLiteral("lf"))
            simulator.setTerminator(QByteArrayLiteral("\n"));
        else if (name == QStringLiteral("crlf"))
            simulator.setTerminator(QByteArrayLiteral("\r\n"));
        else
            return badArgument(QStringLiteral("--terminator: expected cr, lf or crlf, got '%1'").arg(name));
    }
    if (parser.isSet(repliesOption)) {
        const QString error = simulator.loadRepliesFile(parser.value(repliesOption));
        if (!error.isEmpty())
            return badArgument(QStringLiteral("--replies: %1").arg(error));
    }
    DeviceSimulatorFaults faults;
    if (parser.isSet(dropAfterOption)) {
        const std::optional<int> n = parseNumber(parser.value(dropAfterOption), 1, 1000000000);
        if (!n)
            return badArgument(QStringLiteral("--fault-drop-after: expected a whole number of at least 1, got '%1'")
                                   .arg(parser.value(dropAfterOption)));
        faults.dropAfterCommands = *n;
    }
    if (parser.isSet(delayOption)) {
        const std::optional<int> ms = parseNumber(parser.value(delayOption), 0, 3600000);
        if (!ms)
            return badArgument(QStringLiteral("--fault-delay-ms: expected a whole number from 0 to 3600000, got '%1'")
                                   .arg(parser.value(delayOption)));
        faults.replyDelayMs = *ms;
    }
    faults.silent = parser.isSet(silentOption);
    faults.refuseConnections = parser.isSet(refuseOption);
    simulator.setFaults(faults);
    if (parser.isSet(bannerOption))
        simulator.setBanner(parser.value(bannerOption).toUtf8());

    // SIGINT/SIGTERM: leave the event loop. Installed before the ports are
    // printed, so that a script that read them may signal at once.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) == 0) {
        auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }

    const QString error = simulator.start(tcpPort, udpPort);
    if (!error.isEmpty()) {
        std::fprintf(stderr, "device-simulator: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("device-simulator: tcp %s udp %s\n", qPrintable(endpoint(simulator.tcpPort())),
                qPrintable(endpoint(simulator.udpPort())));
    std::fflush(stdout);

    const int status = app.exec();
    simulator.stop();
    return status;
}
