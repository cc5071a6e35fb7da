#include "ui/offlinenetwork.h"

#include "core/logcategories.h"
#include "core/logtext.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace {

// A reply that has already failed: the reader sees errorOccurred() and
// finished() from the event loop, as with any failed request.
class RefusedReply : public QNetworkReply
{
public:
    RefusedReply(QNetworkAccessManager::Operation operation, const QNetworkRequest &request, QObject *parent)
        : QNetworkReply(parent)
    {
        setRequest(request);
        setUrl(request.url());
        setOperation(operation);
        open(QIODevice::ReadOnly);   // before setError: open() clears the error text
        setError(ContentAccessDenied, QStringLiteral("the dashboard has no network access"));
        setFinished(true);
        QTimer::singleShot(0, this, [this] {
            emit errorOccurred(error());
            emit finished();
        });
    }

    void abort() override {}
    qint64 bytesAvailable() const override { return 0; }

protected:
    qint64 readData(char *, qint64) override { return -1; }
};

class OfflineNetworkAccessManager : public QNetworkAccessManager
{
public:
    using QNetworkAccessManager::QNetworkAccessManager;

protected:
    QNetworkReply *createRequest(Operation operation, const QNetworkRequest &request, QIODevice *) override
    {
        qCWarning(lcUi).noquote() << "refused a network request for"
                                  << LogText::escaped(request.url().toDisplayString());
        return new RefusedReply(operation, request, this);
    }
};

} // namespace

QNetworkAccessManager *OfflineNetworkFactory::create(QObject *parent)
{
    return new OfflineNetworkAccessManager(parent);
}
