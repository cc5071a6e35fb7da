// Benchmark: what checking a driver's signature costs each driver_sync
// (PROTOCOL.md "Signed drivers"): SignatureCheck::check as the sync thread
// runs it, i.e. the SHA-256 of the code, the signed bytes and one Ed25519
// verification through OpenSSL. CPU time of the calling thread, so that
// other load on the machine disturbs the figures little.
//   bench_signature [--rounds N]
#include "core/ed25519.h"
#include "protocol/driversignature.h"
#include "protocol/driversyncrequest.h"
#include "sync/signaturecheck.h"
#include "testdrivers.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace {

double threadCpuUs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e6 + double(t.tv_nsec) / 1e3;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOption({QStringLiteral("rounds"), QStringLiteral("Checks per driver size (default 2000)."), QStringLiteral("n"), QStringLiteral("2000")});
    p.process(app);
    const int rounds = std::max(1, p.value(QStringLiteral("rounds")).toInt());

    Ed25519::KeyPair pair;
    if (!Ed25519::generate(&pair).isEmpty())
        return 1;
    const SignatureCheck check({{QStringLiteral("ops-2026"), pair.publicKey}}, true);
    std::printf("signature check per driver_sync, CPU time of the sync thread (%d rounds each):\n", rounds);
    for (int bytes : {4 * 1024, 64 * 1024, 1024 * 1024}) {
        DriverSyncRequest r;
        r.driverType = QStringLiteral("bench_driver");
        r.version = QStringLiteral("1.0.0");
        r.protocolType = QStringLiteral("tcp");
        r.driverCode = TestDrivers::sized(bytes);
        QByteArray value;
        Ed25519::sign(pair.privateKey, DriverSignature::signedBytes(r.driverTypeText(), r.version, r.protocolType, r.driverCode), &value);
        r.signature = DriverSignature{QStringLiteral("ed25519"), QStringLiteral("ops-2026"), QString::fromLatin1(value.toBase64())}.toJson();
        const int n = bytes >= 1024 * 1024 ? std::max(1, rounds / 10) : rounds;
        const double start = threadCpuUs();
        int accepted = 0;
        for (int i = 0; i < n; ++i)
            accepted += check.check(r).accepted ? 1 : 0;
        const double perCheck = (threadCpuUs() - start) / n;
        if (accepted != n) {
            std::fprintf(stderr, "bench_signature: a good signature was refused\n");
            return 1;
        }
        std::printf("  driver of %4d KiB: %8.1f µs per check (n=%d)\n", bytes / 1024, perCheck, n);
    }
    return 0;
}
