#include "core/logcategories.h"

Q_LOGGING_CATEGORY(lcConfig, "nuc.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStorage, "nuc.storage", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCloud, "nuc.cloud", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProtocol, "nuc.protocol", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSync, "nuc.sync", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRuntime, "nuc.runtime", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDevices, "nuc.devices", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "nuc.ui", QtInfoMsg)
