// Logging categories of control-nuc, one per component (see deploy/qtlogging.ini).
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcConfig)    // nuc.config
Q_DECLARE_LOGGING_CATEGORY(lcStorage)   // nuc.storage
Q_DECLARE_LOGGING_CATEGORY(lcCloud)     // nuc.cloud       (socket, reconnects, keep-alive)
Q_DECLARE_LOGGING_CATEGORY(lcProtocol)  // nuc.protocol    (message rules, dispatch)
Q_DECLARE_LOGGING_CATEGORY(lcSync)      // nuc.sync        (driver_sync pipeline)
Q_DECLARE_LOGGING_CATEGORY(lcRuntime)   // nuc.runtime     (QJSEngine host, watchdog, validation)
Q_DECLARE_LOGGING_CATEGORY(lcDevices)   // nuc.devices     (device manager, supervision)
Q_DECLARE_LOGGING_CATEGORY(lcUi)        // nuc.ui          (the dashboard's QML engine)
