// Log lines cannot be forged: LogText::escaped writes out every control
// character of outside text, and the sync audit log keeps each entry on one
// line whatever the cloud or a driver put in its fields.
#include "core/logtext.h"
#include "sync/syncauditlog.h"

#include <QTest>

class tst_LogText : public QObject
{
    Q_OBJECT

private slots:
    void escaped_data();
    void escaped();
    void auditLineStaysOneLine();
};

void tst_LogText::escaped_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("logged");

    QTest::newRow("plain") << QStringLiteral("PWR ON ok") << QStringLiteral("PWR ON ok");
    QTest::newRow("line feed") << QStringLiteral("x\n2026 nuc.cloud: FORGED") << QStringLiteral("x\\n2026 nuc.cloud: FORGED");
    QTest::newRow("carriage return") << QStringLiteral("a\rb") << QStringLiteral("a\\rb");
    QTest::newRow("tab") << QStringLiteral("a\tb") << QStringLiteral("a\\tb");
    QTest::newRow("escape sequence") << QStringLiteral("\x1b[2K") << QStringLiteral("\\x1b[2K");
    QTest::newRow("nul and bell") << QString(QChar(0)) + QStringLiteral("\a") << QStringLiteral("\\x00\\x07");
    QTest::newRow("delete") << QStringLiteral("a\x7f") << QStringLiteral("a\\x7f");
    QTest::newRow("next line (C1)") << QString(QChar(0x85)) << QStringLiteral("\\x85");
    QTest::newRow("line separator") << QString(QChar(0x2028)) << QStringLiteral("\\u2028");
    QTest::newRow("backslash and text stay") << QStringLiteral("C:\\x ü €") << QStringLiteral("C:\\x ü €");
}

void tst_LogText::escaped()
{
    QFETCH(QString, text);
    QFETCH(QString, logged);
    QCOMPARE(LogText::escaped(text), logged);
    QCOMPARE(LogText::hasControl(text), text != logged);
}

void tst_LogText::auditLineStaysOneLine()
{
    const SyncAuditEntry entry{QStringLiteral("s\n1"), QStringLiteral("evil\n"), QStringLiteral("1\x1b[2K\x85"),
                               QStringLiteral("failed"), 1.5, QStringLiteral("bad \"x\"\r\nnuc.sync: FORGED")};
    const QString line = SyncAuditLog::format(entry);
    QCOMPARE(line.count(u'\n'), 1);
    QVERIFY(line.endsWith(u'\n'));
    QVERIFY2(!LogText::hasControl(line.chopped(1)), qPrintable(line));
    QVERIFY(line.contains(QStringLiteral(" sync_id=\"s\\n1\" driver_type=\"evil\\n\" version=\"1\\x1b[2K\\x85\"")));
    QVERIFY(line.contains(QStringLiteral(" error=\"bad \\\"x\\\"\\r\\nnuc.sync: FORGED\"")));
}

QTEST_GUILESS_MAIN(tst_LogText)
#include "tst_logtext.moc"
