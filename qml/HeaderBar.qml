import QtQuick
import QtQuick.Layouts
import ControlNuc

// The glance line: who this controller is, the cloud link, devices by status.
Rectangle {
    id: header
    required property Dashboard dashboard
    property real unit: 1
    property date now: new Date()

    color: Theme.surface
    implicitHeight: layout.implicitHeight + 20 * unit

    function secondsUntil(t) {
        if (!t || isNaN(t.getTime()))
            return 0
        return Math.max(0, Math.ceil((t.getTime() - now.getTime()) / 1000))
    }

    RowLayout {
        id: layout
        anchors.fill: parent
        anchors.margins: 10 * header.unit
        spacing: 10 * header.unit

        ColumnLayout {
            spacing: 2 * header.unit
            Layout.fillWidth: true
            Layout.minimumWidth: 120 * header.unit
            Text {
                textFormat: Text.PlainText
                objectName: "controllerName"
                text: header.dashboard.controllerName
                color: Theme.text
                font.pixelSize: 22 * header.unit
                font.bold: true
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Text {
                textFormat: Text.PlainText
                text: qsTr("Controller %1 · v%2").arg(header.dashboard.controllerId).arg(header.dashboard.appVersion)
                color: Theme.textDim
                font.pixelSize: 16 * header.unit
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
        }

        ColumnLayout {
            spacing: 2 * header.unit
            Text {
                textFormat: Text.PlainText
                text: qsTr("Cloud")
                color: Theme.textDim
                font.pixelSize: 16 * header.unit
            }
            StatusBadge {
                objectName: "cloudBadge"
                status: header.dashboard.cloudState
                unit: header.unit
            }
            Text {
                textFormat: Text.PlainText
                objectName: "cloudDetail"
                visible: text.length > 0
                color: Theme.textDim
                font.pixelSize: 16 * header.unit
                // The whole reason is on the system page; here it must not
                // push the counts off the screen.
                Layout.maximumWidth: 200 * header.unit
                elide: Text.ElideRight
                text: header.dashboard.cloudState === "reconnecting"
                      ? qsTr("next try in %n s", "", header.secondsUntil(header.dashboard.nextAttemptAt))
                      : header.dashboard.cloudState === "refused"
                        ? qsTr("%1 refused our credentials (HTTP %2): check the token")
                              .arg(header.dashboard.cloudUrl).arg(header.dashboard.cloudRefusedStatus)
                        : header.dashboard.cloudState === "offline" ? qsTr("no cloud configured") : ""
            }
        }

        Repeater {
            model: [
                { status: "connected", count: header.dashboard.connectedCount },
                { status: "connecting", count: header.dashboard.connectingCount },
                { status: "disconnected", count: header.dashboard.disconnectedCount },
                { status: "error", count: header.dashboard.errorCount }
            ]
            delegate: Rectangle {
                required property var modelData
                objectName: "count_" + modelData.status
                color: modelData.status === "error" && modelData.count > 0 ? Theme.bad : Theme.surfaceHigh
                radius: 8 * header.unit
                implicitWidth: Math.max(70 * header.unit, tile.implicitWidth + 12 * header.unit)
                implicitHeight: tile.implicitHeight + 12 * header.unit
                ColumnLayout {
                    id: tile
                    anchors.centerIn: parent
                    spacing: 0
                    Text {
                        textFormat: Text.PlainText
                        Layout.alignment: Qt.AlignHCenter
                        text: modelData.count
                        color: modelData.status === "error" && modelData.count > 0 ? "white" : Theme.statusColor(modelData.status)
                        font.pixelSize: 26 * header.unit
                        font.bold: true
                    }
                    Text {
                        textFormat: Text.PlainText
                        Layout.alignment: Qt.AlignHCenter
                        text: Theme.statusSymbol(modelData.status) + " " + badgeWords.label(modelData.status)
                        color: modelData.status === "error" && modelData.count > 0 ? "white" : Theme.textDim
                        font.pixelSize: 16 * header.unit
                    }
                }
            }
        }

    }

    StatusBadge {
        id: badgeWords
        visible: false
        status: ""
    }
}
