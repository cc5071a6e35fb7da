import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import QtQuick.Window
import QtQuick.Templates as T
import ControlNuc

// The touchscreen dashboard. Presentation only: everything it shows and does
// goes through `dashboard` (C++).
ApplicationWindow {
    id: window
    required property Dashboard dashboard
    required property bool kiosk

    // 1 at 800×480; grows with the screen so text stays readable from afar.
    readonly property real unit: Math.max(1, Math.min(width / 800, height / 480))
    // Header, tabs and the bottom banners grow half as fast: the height they
    // take is the devices view's (≥ 6 rows at 800×480, ≥ 10 at 1280×800).
    readonly property real chrome: 1 + (unit - 1) / 2
    property date now: new Date()
    property string resultText: ""
    property bool resultOk: true
    property var resultFailing: []   // devices not connected after the action

    // Follows the screen: full screen in kiosk mode, otherwise the screen's
    // free area to start with and resizable down to a 7" panel's 800×480.
    width: Screen.desktopAvailableWidth > 0 ? Screen.desktopAvailableWidth : 1280
    height: Screen.desktopAvailableHeight > 0 ? Screen.desktopAvailableHeight : 800
    minimumWidth: Math.min(800, width)
    minimumHeight: Math.min(480, height)
    visible: true
    visibility: kiosk ? Window.FullScreen : Window.AutomaticVisibility
    flags: kiosk ? (Qt.Window | Qt.FramelessWindowHint) : Qt.Window
    title: qsTr("Control NUC · %1").arg(dashboard.controllerName)
    color: Theme.background

    // In kiosk mode nothing on the screen closes the dashboard.
    onClosing: (close) => { if (kiosk) close.accepted = false }

    Timer {
        interval: 1000
        running: true
        repeat: true
        onTriggered: window.now = new Date()
    }

    Connections {
        target: window.dashboard
        function onActionFinished(ok, message, failing) {
            window.resultOk = ok
            window.resultText = message
            window.resultFailing = failing
            resultTimer.restart()
        }
    }
    Timer {
        id: resultTimer
        interval: 8000
        onTriggered: {
            window.resultText = ""
            window.resultFailing = []
        }
    }

    function askReloadDriver(driverType) {
        pinDialog.ask(qsTr("Reload driver %1").arg(driverType),
                      qsTr("All devices that use %1 will be disconnected and recreated from the stored driver. Continue?").arg(driverType),
                      pin => window.dashboard.reloadDriver(driverType, pin))
    }
    function askRollback(driverType, version) {
        const devices = window.dashboard.driverDevices(driverType)
        pinDialog.ask(qsTr("Roll back %1 to %2").arg(driverType).arg(version),
                      (devices.length > 0
                       ? qsTr("%1 goes back to version %2. These devices restart on it: %3.").arg(driverType).arg(version).arg(devices.join(", "))
                       : qsTr("%1 goes back to version %2. No device uses it.").arg(driverType).arg(version))
                      + " " + qsTr("Continue?"),
                      pin => window.dashboard.rollBackDriver(driverType, version, pin))
    }
    function askReconnect(deviceId, name) {
        pinDialog.ask(qsTr("Reconnect %1").arg(name),
                      qsTr("The device %1 will be disconnected and connected again. Continue?").arg(deviceId),
                      pin => window.dashboard.reconnectDevice(deviceId, pin))
    }
    function openDevice(deviceId) {
        tabs.currentIndex = 0
        window.dashboard.deviceDetail.deviceId = deviceId
    }
    function askReloadAll() {
        pinDialog.ask(qsTr("Reload all drivers"),
                      qsTr("Every device (%n in total) will be disconnected and recreated. Continue?", "", window.dashboard.deviceCount),
                      pin => window.dashboard.reloadAll(pin))
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        HeaderBar {
            Layout.fillWidth: true
            dashboard: window.dashboard
            unit: window.chrome
            now: window.now
        }

        // Safe mode: drivers stopped after repeated crashes.
        Rectangle {
            objectName: "safeModeBanner"
            Layout.fillWidth: true
            visible: window.dashboard.safeMode
            color: Theme.busy
            implicitHeight: safeRow.implicitHeight + 16 * window.unit
            RowLayout {
                id: safeRow
                anchors.fill: parent
                anchors.margins: 8 * window.unit
                spacing: 12 * window.unit
                Text {
                    textFormat: Text.PlainText
                    objectName: "safeModeText"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    color: "black"
                    font.pixelSize: 19 * window.unit
                    font.bold: true
                    text: "⚠ " + qsTr("SAFE MODE: drivers are stopped after %n crash(es) in a short time.", "", window.dashboard.recentCrashes)
                          + (window.dashboard.lastChangedDriver ? " " + qsTr("Last changed driver: %1.").arg(window.dashboard.lastChangedDriver) : "")
                }
                ActionButton {
                    objectName: "enableDriversButton"
                    unit: window.unit
                    text: qsTr("Re-enable drivers")
                    tint: Theme.surfaceHigh
                    enabled: !window.dashboard.actionRunning
                    onClicked: pinDialog.ask(qsTr("Re-enable drivers"),
                                             qsTr("All drivers start again. If a driver keeps crashing the controller, update or remove it first. Continue?"),
                                             pin => window.dashboard.enableDrivers(pin))
                }
            }
        }

        // Driver types quarantined after their driver host failed too often.
        Rectangle {
            objectName: "quarantineBanner"
            Layout.fillWidth: true
            visible: window.dashboard.quarantined.length > 0
            color: Theme.busy
            implicitHeight: quarantineRow.implicitHeight + 16 * window.unit
            RowLayout {
                id: quarantineRow
                anchors.fill: parent
                anchors.margins: 8 * window.unit
                spacing: 12 * window.unit
                Text {
                    objectName: "quarantineText"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    textFormat: Text.PlainText
                    color: "black"
                    font.pixelSize: 19 * window.unit
                    font.bold: true
                    text: "⚠ " + qsTr("QUARANTINED: %1. Its driver host failed too often; its devices stay stopped.")
                                   .arg(window.dashboard.quarantined.join(", "))
                }
                ActionButton {
                    objectName: "liftQuarantineButton"
                    unit: window.unit
                    text: qsTr("Lift quarantine")
                    tint: Theme.surfaceHigh
                    enabled: !window.dashboard.actionRunning
                    onClicked: pinDialog.ask(qsTr("Lift quarantine"),
                                             qsTr("These devices start again: %1. If the driver keeps crashing its host, it is quarantined again. Continue?")
                                                 .arg(window.dashboard.quarantinedDevices().join(", ")),
                                             pin => window.dashboard.liftQuarantine(pin))
                }
            }
        }

        RowLayout {
          Layout.fillWidth: true
          Layout.fillHeight: false
          Layout.preferredHeight: tabs.implicitHeight
          spacing: 0
          TabBar {
            id: tabs
            objectName: "tabs"
            Layout.fillWidth: true
            background: Rectangle { color: Theme.surface }
            Repeater {
                model: [qsTr("Devices (%1)").arg(window.dashboard.deviceCount),
                        qsTr("Drivers (%1)").arg(window.dashboard.drivers.count),
                        qsTr("Events"),
                        qsTr("System")]
                delegate: TabButton {
                    required property string modelData
                    required property int index
                    objectName: "tab_" + index
                    text: modelData
                    implicitHeight: 44 * window.chrome   // a touch target, no taller
                    font.pixelSize: 18 * window.chrome
                    font.bold: tabs.currentIndex === index
                    contentItem: Text {
                        textFormat: Text.PlainText
                        text: parent.text
                        font: parent.font
                        color: tabs.currentIndex === parent.index ? Theme.text : Theme.textDim
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                    }
                    background: Rectangle {
                        color: tabs.currentIndex === parent.index ? Theme.surfaceHigh : Theme.surface
                        Rectangle {
                            anchors.bottom: parent.bottom
                            width: parent.width
                            height: 4 * window.chrome
                            color: Theme.accent
                            visible: tabs.currentIndex === parent.parent.index
                        }
                    }
                }
            }
          }
          Rectangle {
            color: Theme.surface
            Layout.fillHeight: true
            implicitWidth: clock.implicitWidth + 16 * window.chrome
            HeaderClock {
                id: clock
                anchors.centerIn: parent
                unit: window.chrome
                now: window.now
            }
          }
          Rectangle {
            color: Theme.surface
            Layout.fillHeight: true
            implicitWidth: reloadAll.implicitWidth + 8 * window.chrome
            ActionButton {
                id: reloadAll
                objectName: "reloadAllButton"
                anchors.centerIn: parent
                unit: window.chrome
                touchHeight: 44
                text: qsTr("Reload all")
                enabled: !window.dashboard.actionRunning
                onClicked: window.askReloadAll()
            }
          }
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.leftMargin: 10 * window.unit
            Layout.rightMargin: 10 * window.unit
            Layout.topMargin: 4 * window.chrome
            Layout.bottomMargin: 2 * window.chrome
            currentIndex: tabs.currentIndex

            Item {
                DevicesView {
                    id: devicesPage
                    objectName: "devicesPage"
                    anchors.fill: parent
                    visible: window.dashboard.deviceDetail.deviceId === ""
                    dashboard: window.dashboard
                    unit: window.unit
                    now: window.now
                    onDeviceChosen: (deviceId) => window.openDevice(deviceId)
                }
                DevicePage {
                    objectName: "devicePage"
                    anchors.fill: parent
                    visible: window.dashboard.deviceDetail.deviceId !== ""
                    dashboard: window.dashboard
                    unit: window.unit
                    now: window.now
                    onBack: window.dashboard.deviceDetail.deviceId = ""
                    onReconnectRequested: (deviceId, name) => window.askReconnect(deviceId, name)
                    onUnlockRequested: pinDialog.unlock()
                }
            }

            Item {
                DriversView {
                    id: driversPage
                    objectName: "driversPage"
                    anchors.fill: parent
                    visible: detail.driverType === ""
                    dashboard: window.dashboard
                    unit: window.unit
                    onDriverChosen: (driverType) => detail.driverType = driverType
                }
                DriverDetail {
                    id: detail
                    objectName: "driverDetail"
                    anchors.fill: parent
                    visible: driverType !== ""
                    dashboard: window.dashboard
                    unit: window.unit
                    now: window.now
                    onBack: detail.driverType = ""
                    onReloadRequested: (driverType) => window.askReloadDriver(driverType)
                    onRollbackRequested: (driverType, version) => window.askRollback(driverType, version)
                    onDeviceChosen: (deviceId) => window.openDevice(deviceId)
                }
            }

            EventLogView {
                objectName: "eventsPage"
                dashboard: window.dashboard
                unit: window.unit
            }

            SystemView {
                objectName: "systemPage"
                dashboard: window.dashboard
                unit: window.unit
            }
        }

        // The bottom line: anything in error, impossible to miss, and while
        // the technician session runs its countdown and "Lock now" beside it.
        // Both sit below the page, so when they come and go the rows under
        // a finger stay where they are (only the page's bottom edge moves),
        // and neither ever covers the other or a row.
        RowLayout {
            id: bottomLine
            Layout.fillWidth: true
            Layout.fillHeight: false   // its children fill it; it takes no height from the page
            spacing: 0
            visible: window.dashboard.errorCount > 0 || window.dashboard.session.unlocked
            Rectangle {
                id: errorBanner
                objectName: "errorBanner"
                Layout.fillWidth: true
                Layout.fillHeight: true
                visible: window.dashboard.errorCount > 0
                color: Theme.bad
                implicitHeight: bannerText.implicitHeight + 6 * window.chrome
                Text {
                    id: bannerText
                    textFormat: Text.PlainText
                    anchors.centerIn: parent
                    width: Math.min(implicitWidth, parent.width - 16 * window.chrome)
                    elide: Text.ElideRight
                    text: "✖ " + qsTr("%n device(s) in error", "", window.dashboard.errorCount)
                    color: "white"
                    font.pixelSize: 19 * window.chrome
                    font.bold: true
                }
                TapHandler {
                    onTapped: {
                        tabs.currentIndex = 0
                        window.dashboard.deviceDetail.deviceId = ""
                        devicesPage.statusFilter = "error"
                    }
                }
            }
            Item {
                Layout.fillWidth: true
                visible: window.dashboard.errorCount === 0
            }
            SessionBar {
                id: sessionBar
                objectName: "sessionBar"
                Layout.fillHeight: true
                dashboard: window.dashboard
                unit: window.chrome
            }
        }
    }

    // What the technician asked for: running, then the result. Floats over
    // the bottom of the page, so nothing moves under the finger, and above
    // the bottom line, so the error banner and "Lock now" stay in reach; tap
    // to close.
    Rectangle {
        objectName: "actionBar"
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 10 * window.unit
        anchors.bottomMargin: (bottomLine.visible ? bottomLine.height : 0) + 10 * window.unit
        height: implicitHeight
        radius: 10 * window.unit
        z: 10
        visible: window.dashboard.actionRunning || window.resultText.length > 0
        // Done with devices still down: the warning colour, and which.
        color: window.dashboard.actionRunning ? Theme.surfaceHigh
             : window.resultOk ? Theme.ok
             : window.resultFailing.length > 0 ? Theme.busy : Theme.bad
        implicitHeight: Math.max(50 * window.unit, actionRow.implicitHeight + 12 * window.unit)
        ColumnLayout {
            id: actionRow
            anchors.fill: parent
            anchors.leftMargin: 14 * window.unit
            anchors.rightMargin: 14 * window.unit
            anchors.topMargin: 6 * window.unit
            anchors.bottomMargin: 6 * window.unit
            spacing: 2 * window.unit
            RowLayout {
                Layout.fillWidth: true
                spacing: 12 * window.unit
                BusyIndicator {
                    running: window.dashboard.actionRunning
                    visible: running
                    implicitWidth: 40 * window.unit
                    implicitHeight: 40 * window.unit
                }
                Text {
                    objectName: "actionText"
                    textFormat: Text.PlainText
                    Layout.fillWidth: true
                    text: window.dashboard.actionRunning ? window.dashboard.actionText : window.resultText
                    color: "white"
                    font.pixelSize: 19 * window.unit
                    font.bold: true
                    elide: Text.ElideRight
                }
            }
            Text {
                textFormat: Text.PlainText
                objectName: "actionFailing"
                Layout.fillWidth: true
                visible: !window.dashboard.actionRunning && window.resultFailing.length > 0
                text: qsTr("Not connected: %1").arg(window.resultFailing.join("  ·  "))
                color: "white"
                font.pixelSize: 16 * window.unit
                wrapMode: Text.Wrap
                maximumLineCount: 4
                elide: Text.ElideRight
            }
        }
        TapHandler {
            enabled: !window.dashboard.actionRunning
            onTapped: resultTimer.triggered()
        }
    }

    // Kiosk: dim, then blank the screen when nobody touches it; the waking
    // touch does nothing else. A device going to error wakes it.
    IdleMonitor {
        id: idle
        objectName: "idleMonitor"
        window: window
        dashboard: window.dashboard
        enabled: window.kiosk
    }
    property int lastErrorCount: 0
    Connections {
        target: window.dashboard
        function onCountsChanged() {
            if (window.dashboard.errorCount > window.lastErrorCount)
                idle.wake()
            window.lastErrorCount = window.dashboard.errorCount
        }
    }
    Rectangle {
        objectName: "idleShade"
        parent: T.Overlay.overlay
        anchors.fill: parent
        z: 1000
        color: "black"
        visible: idle.state !== "awake"
        opacity: idle.state === "blank" ? 1 : 0.7
    }

    PinDialog {
        id: pinDialog
        objectName: "pinDialog"
        dashboard: window.dashboard
        unit: window.unit
    }
}
