import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import ControlNuc

// Every device with live status, message, state and time since the last
// change; filter by status. A ListView with delegates: fine with 500 rows.
Item {
    id: view
    required property Dashboard dashboard
    property real unit: 1
    property date now: new Date()
    property string typeFilter: ""
    property bool showFilters: true
    property alias statusFilter: byStatus.filterValue
    signal reconnectRequested(string deviceId, string name)

    function ago(t) {
        if (!t || isNaN(t.getTime()))
            return ""
        const s = Math.max(0, Math.floor((now.getTime() - t.getTime()) / 1000))
        if (s < 60) return qsTr("%n s ago", "", s)
        if (s < 3600) return qsTr("%n min ago", "", Math.floor(s / 60))
        return qsTr("%n h ago", "", Math.floor(s / 3600))
    }
    function stateText(state) {
        const keys = Object.keys(state || {})
        return keys.map(k => k + ": " + state[k]).join("  ·  ")
    }

    FilterProxyModel {
        id: byType
        sourceModel: view.dashboard.devices
        filterRoleName: "type"
        filterValue: view.typeFilter
    }
    FilterProxyModel {
        id: byStatus
        objectName: "deviceFilter"
        sourceModel: byType
        filterRoleName: "status"
        filterValue: ""
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 8 * view.unit

        Flow {
            visible: view.showFilters
            Layout.fillWidth: true
            spacing: 8 * view.unit
            Repeater {
                model: ["", "connected", "connecting", "disconnected", "error"]
                delegate: ActionButton {
                    required property string modelData
                    objectName: "filter_" + (modelData || "all")
                    unit: view.unit
                    text: modelData === "" ? qsTr("All") : badgeWords.label(modelData)
                    tint: byStatus.filterValue === modelData ? Theme.accent : Theme.surfaceHigh
                    onClicked: byStatus.filterValue = modelData
                }
            }
        }

        ListView {
            id: list
            objectName: "deviceList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 6 * view.unit
            model: byStatus
            reuseItems: true
            ScrollBar.vertical: ScrollBar { width: 14 * view.unit }

            delegate: Rectangle {
                id: row
                required property string deviceId
                required property string name
                required property string type
                required property string status
                required property string message
                required property var state
                required property date lastChange

                width: ListView.view.width
                implicitHeight: content.implicitHeight + 16 * view.unit
                radius: 8 * view.unit
                color: status === "error" ? Qt.rgba(0.9, 0.28, 0.3, 0.18) : Theme.surface
                border.color: status === "error" ? Theme.bad : "transparent"
                border.width: 2

                RowLayout {
                    id: content
                    anchors.fill: parent
                    anchors.margins: 8 * view.unit
                    spacing: 12 * view.unit
                    StatusBadge {
                        status: row.status
                        unit: view.unit
                        Layout.preferredWidth: 170 * view.unit
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 2 * view.unit
                        Text {
                            textFormat: Text.PlainText
                            text: row.name + "  (" + row.deviceId + ")"
                            color: Theme.text
                            font.pixelSize: 19 * view.unit
                            font.bold: true
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Text {
                            textFormat: Text.PlainText
                            visible: text.length > 0
                            text: row.message
                            color: row.status === "error" ? "#ffb3b5" : Theme.textDim
                            font.pixelSize: 16 * view.unit
                            wrapMode: Text.Wrap
                            maximumLineCount: 2
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Text {
                            textFormat: Text.PlainText
                            visible: text.length > 0
                            text: view.stateText(row.state)
                            color: Theme.accent
                            font.pixelSize: 16 * view.unit
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                    }
                    ColumnLayout {
                        spacing: 4 * view.unit
                        Text {
                            textFormat: Text.PlainText
                            Layout.alignment: Qt.AlignRight
                            text: row.type
                            color: Theme.textDim
                            font.pixelSize: 15 * view.unit
                        }
                        Text {
                            textFormat: Text.PlainText
                            Layout.alignment: Qt.AlignRight
                            text: view.ago(row.lastChange)
                            color: Theme.textDim
                            font.pixelSize: 15 * view.unit
                        }
                    }
                    ActionButton {
                        objectName: "reconnect_" + row.deviceId
                        unit: view.unit
                        text: qsTr("Reconnect")
                        tint: Theme.surfaceHigh
                        enabled: !view.dashboard.actionRunning
                        onClicked: view.reconnectRequested(row.deviceId, row.name)
                    }
                }
            }

            Text {
                textFormat: Text.PlainText
                anchors.centerIn: parent
                visible: list.count === 0
                text: byStatus.filterValue === "" ? qsTr("No devices yet.") : qsTr("No devices with this status.")
                color: Theme.textDim
                font.pixelSize: 20 * view.unit
            }
        }
    }

    StatusBadge {
        id: badgeWords
        visible: false
        status: ""
    }
}
