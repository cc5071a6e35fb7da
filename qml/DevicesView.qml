import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import ControlNuc

// Every device with live status, message, state and how long it has been up
// or down; filter by status. A state from before the device went down is
// shown greyed as "last known". A ListView with delegates: fine with 500 rows.
Item {
    id: view
    required property Dashboard dashboard
    property real unit: 1
    property date now: new Date()
    property string typeFilter: ""
    property bool showFilters: true
    property alias statusFilter: byStatus.filterValue
    signal reconnectRequested(string deviceId, string name)

    // "3 h 12 min", "5 min", "40 s": how long since `t`.
    function duration(t) {
        if (!t || isNaN(t.getTime()))
            return ""
        const s = Math.max(0, Math.floor((now.getTime() - t.getTime()) / 1000))
        if (s < 60) return qsTr("%n s", "", s)
        const min = Math.floor(s / 60) % 60
        const h = Math.floor(s / 3600)
        if (h === 0) return qsTr("%n min", "", min)
        if (h < 48) return qsTr("%1 h %2 min").arg(h).arg(min)
        return qsTr("%n day(s)", "", Math.floor(h / 24))
    }
    function sinceText(status, since) {
        const d = duration(since)
        if (d === "")
            return ""
        return status === "connected" ? qsTr("connected for %1").arg(d) : qsTr("down for %1").arg(d)
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
                required property date since
                required property string room
                required property bool stateCurrent

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
                            objectName: "state_" + row.deviceId
                            textFormat: Text.PlainText
                            visible: text.length > 0
                            // Not from the instance connected now: not current.
                            text: view.stateText(row.state).length === 0 ? ""
                                : row.stateCurrent ? view.stateText(row.state)
                                : qsTr("last known: %1").arg(view.stateText(row.state))
                            color: row.stateCurrent ? Theme.accent : Theme.textDim
                            font.pixelSize: 16 * view.unit
                            font.italic: !row.stateCurrent
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                    }
                    ColumnLayout {
                        spacing: 4 * view.unit
                        Text {
                            textFormat: Text.PlainText
                            Layout.alignment: Qt.AlignRight
                            text: row.room.length > 0 ? row.room + "  ·  " + row.type : row.type
                            color: Theme.textDim
                            font.pixelSize: 15 * view.unit
                        }
                        Text {
                            objectName: "since_" + row.deviceId
                            textFormat: Text.PlainText
                            Layout.alignment: Qt.AlignRight
                            text: view.sinceText(row.status, row.since)
                            color: row.status === "connected" ? Theme.textDim : Theme.text
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
