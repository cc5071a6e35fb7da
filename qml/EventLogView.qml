import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import ControlNuc

// What happened: device status changes, driver syncs, reloads, technician
// actions, cloud and credential events, safe mode and quarantine; newest
// first, filterable by device. "Driver syncs" shows the syncs with their
// steps as they run (ActivityView).
Item {
    id: view
    required property Dashboard dashboard
    property real unit: 1
    property bool showSyncs: false
    property alias deviceFilter: events.deviceFilter

    EventLogModel {
        id: events
        objectName: "eventModel"
        dashboard: view.dashboard
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 8 * view.unit

        RowLayout {
            Layout.fillWidth: true
            spacing: 8 * view.unit
            ActionButton {
                objectName: "eventsAll"
                unit: view.unit
                text: qsTr("All events")
                tint: !view.showSyncs && events.deviceFilter === "" ? Theme.accent : Theme.surfaceHigh
                onClicked: {
                    view.showSyncs = false
                    events.deviceFilter = ""
                }
            }
            ActionButton {
                objectName: "eventsSyncs"
                unit: view.unit
                text: qsTr("Driver syncs")
                tint: view.showSyncs ? Theme.accent : Theme.surfaceHigh
                onClicked: view.showSyncs = true
            }
            // The device filter: tap a device's event to see only its own.
            ActionButton {
                objectName: "eventsDeviceFilter"
                visible: events.deviceFilter !== "" && !view.showSyncs
                unit: view.unit
                Layout.fillWidth: true
                Layout.maximumWidth: implicitWidth
                text: "✕ " + qsTr("Device %1").arg(events.deviceFilter)
                tint: Theme.accent
                onClicked: events.deviceFilter = ""
            }
            Item { Layout.fillWidth: true }
        }

        // Both pages keep their size when hidden (no layout at width 0).
        Item {
        Layout.fillWidth: true
        Layout.fillHeight: true

        ListView {
            id: list
            objectName: "eventList"
            visible: !view.showSyncs
            anchors.fill: parent
            clip: true
            spacing: 4 * view.unit
            model: events
            reuseItems: true
            // Wide and always there for a finger; anchored, so it stays at
            // the edge whatever size the window had while it was hidden.
            ScrollBar.vertical: ScrollBar {
                anchors.right: parent.right
                anchors.top: parent.top
                anchors.bottom: parent.bottom
                width: 24 * view.unit
                policy: ScrollBar.AlwaysOn
                visible: list.contentHeight > list.height
            }

            delegate: Rectangle {
                id: row
                required property string text
                required property string tone
                required property string timeText
                required property string deviceId
                required property string kind

                width: ListView.view.width - 28 * view.unit
                implicitHeight: Math.max(48 * view.unit, content.implicitHeight + 12 * view.unit)
                radius: 6 * view.unit
                color: Theme.surface
                border.color: tone === "error" || tone === "failed" || tone === "refused" ? Theme.bad : "transparent"
                border.width: 2

                RowLayout {
                    id: content
                    anchors.fill: parent
                    anchors.leftMargin: 10 * view.unit
                    anchors.rightMargin: 10 * view.unit
                    spacing: 10 * view.unit
                    Text {
                        textFormat: Text.PlainText
                        text: Theme.statusSymbol(row.tone)
                        color: Theme.statusColor(row.tone)
                        font.pixelSize: 20 * view.unit
                        font.bold: true
                        Layout.preferredWidth: 24 * view.unit
                        horizontalAlignment: Text.AlignHCenter
                    }
                    Text {
                        objectName: "eventTime"
                        textFormat: Text.PlainText
                        text: row.timeText
                        color: Theme.textDim
                        font.pixelSize: 16 * view.unit
                    }
                    Text {
                        objectName: "eventText"
                        textFormat: Text.PlainText
                        text: row.text
                        color: Theme.text
                        font.pixelSize: 17 * view.unit
                        wrapMode: Text.Wrap
                        maximumLineCount: 3
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                }
                TapHandler {
                    enabled: row.deviceId !== ""
                    onTapped: events.deviceFilter = row.deviceId
                }
            }

            Text {
                textFormat: Text.PlainText
                anchors.centerIn: parent
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                visible: list.count === 0 && !events.loading
                text: qsTr("No events yet.")
                color: Theme.textDim
                font.pixelSize: 20 * view.unit
            }
        }

        ActivityView {
            objectName: "activityPage"
            visible: view.showSyncs
            anchors.fill: parent
            dashboard: view.dashboard
            unit: view.unit
        }
        }
    }
}
