// The dashboard's QML engine has no network: every request its network
// access manager is asked for (an <img> in text, an Image source, an
// XMLHttpRequest) fails at once with "access denied", and nothing leaves the
// machine. The dashboard shows text from drivers and the cloud; should any of
// it ever be read as markup, it still cannot make the kiosk fetch a URL.
// qrc: and file: URLs do not go through the network access manager.
#pragma once

#include <QQmlNetworkAccessManagerFactory>

class OfflineNetworkFactory : public QQmlNetworkAccessManagerFactory
{
public:
    // Called by the engine, possibly on one of its loader threads.
    QNetworkAccessManager *create(QObject *parent) override;
};
