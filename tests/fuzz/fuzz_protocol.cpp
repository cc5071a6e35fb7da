// libFuzzer target: one input = one text frame from the cloud. It goes
// through ProtocolHandler::handleTextFrame (Envelope::parse, the
// protocol_error answer, dispatch by type to a handler that runs the typed
// parser), and the envelope's data, when there is one, through every typed
// request parser whatever its type, so that the fuzzer need not guess a
// type name to reach a parser.
#include "cloud/protocolhandler.h"
#include "protocol/devicerequests.h"
#include "protocol/driverrollbackrequest.h"
#include "protocol/driversyncrequest.h"
#include "protocol/envelope.h"
#include "protocol/safetyrequests.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>

namespace {

// Far below the controller's defaults (core/config.h) so that both size
// checks are reachable: libFuzzer's inputs stay under 4 KB unless a seed
// is longer.
constexpr qint64 maxFrameBytes = 3 * 1024;
constexpr qint64 maxCodeBytes = 1024;

// Keeps the results observable, so that nothing is optimised away.
qsizetype g_sink = 0;

template<typename Request>
void check(const Parsed<Request> &parsed)
{
    g_sink += parsed.error.size();
}

void parseAll(const QJsonObject &data)
{
    check(DriverSyncRequest::parse(data, maxCodeBytes));
    check(DeviceSyncRequest::parse(data));
    check(DeviceRemoveRequest::parse(data));
    check(DeviceCommandRequest::parse(data));
    check(DriverReloadRequest::parse(data));
    check(SafeModeClearRequest::parse(data));
    check(DriverQuarantineClearRequest::parse(data));
    check(DriverRollbackRequest::parse(data));
}

template<typename Request, typename... Args>
void registerParser(ProtocolHandler &handler, Args... args)
{
    handler.registerHandler(Request::type(), [args...](const QJsonObject &data) {
        check(Request::parse(data, args...));
    });
}

// The log lines (protocol_error, unknown type) are formatted but not printed:
// printing every input would make the run I/O-bound.
void quiet(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_sink += message.size();
}

ProtocolHandler &handler()
{
    static ProtocolHandler *h = [] {
        auto *p = new ProtocolHandler(maxFrameBytes);
        registerParser<DriverSyncRequest>(*p, maxCodeBytes);
        registerParser<DeviceSyncRequest>(*p);
        registerParser<DeviceRemoveRequest>(*p);
        registerParser<DeviceCommandRequest>(*p);
        registerParser<DriverReloadRequest>(*p);
        registerParser<SafeModeClearRequest>(*p);
        registerParser<DriverQuarantineClearRequest>(*p);
        registerParser<DriverRollbackRequest>(*p);
        // Online with a sender that accepts everything: protocol_error
        // answers are built and "sent", nothing piles up in the outbox.
        p->setSender([](const QString &text) {
            g_sink += text.size();
            return true;
        });
        p->setOnline(true);
        return p;
    }();
    return *h;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    static const bool installed = (qInstallMessageHandler(quiet), true);
    Q_UNUSED(installed);
    // As CloudLink hands frames over: QtWebSockets decodes the UTF-8 (bad
    // sequences become U+FFFD).
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(bytes), qsizetype(size));
    handler().handleTextFrame(text);
    const Parsed<Envelope> envelope = Envelope::parse(text, maxFrameBytes);
    if (!envelope.value.data.isEmpty())
        parseAll(envelope.value.data);
    return 0;
}
