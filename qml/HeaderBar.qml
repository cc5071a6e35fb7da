import QtQuick
import QtQuick.Layouts
import ControlNuc

// The glance line: who this controller is, the cloud link, devices by status.
// Compact (two text lines, about 47 px at 800×480): every pixel of height it
// spends is a device row less on a 7" panel.
Rectangle {
    id: header
    required property Dashboard dashboard
    property real unit: 1
    property date now: new Date()
    readonly property bool oneLine: width >= 950 * unit

    color: Theme.surface
    implicitHeight: layout.implicitHeight + 4 * unit

    function secondsUntil(t) {
        if (!t || isNaN(t.getTime()))
            return 0
        return Math.max(0, Math.ceil((t.getTime() - now.getTime()) / 1000))
    }

    RowLayout {
        id: layout
        anchors.fill: parent
        anchors.leftMargin: 10 * header.unit
        anchors.rightMargin: 10 * header.unit
        anchors.topMargin: 2 * header.unit
        anchors.bottomMargin: 2 * header.unit
        spacing: 10 * header.unit

        ColumnLayout {
            spacing: 0
            Layout.fillWidth: true
            Layout.minimumWidth: 120 * header.unit
            Text {
                textFormat: Text.PlainText
                objectName: "controllerName"
                text: header.dashboard.controllerName
                color: Theme.text
                font.pixelSize: 18 * header.unit
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

        // "Cloud" and what it waits for on the first line, the badge below.
        ColumnLayout {
            spacing: 0
            RowLayout {
                spacing: 6 * header.unit
                Text {
                    textFormat: Text.PlainText
                    text: qsTr("Cloud")
                    color: Theme.textDim
                    font.pixelSize: 16 * header.unit
                }
                Text {
                    textFormat: Text.PlainText
                    objectName: "cloudDetail"
                    visible: text.length > 0
                    color: Theme.textDim
                    font.pixelSize: 16 * header.unit
                    // The whole reason is on the system page; here it must not
                    // push the counts off the screen.
                    Layout.maximumWidth: 170 * header.unit
                    elide: Text.ElideRight
                    text: header.dashboard.cloudState === "reconnecting"
                          ? qsTr("next try in %n s", "", header.secondsUntil(header.dashboard.nextAttemptAt))
                          : header.dashboard.cloudState === "refused"
                            ? qsTr("%1 refused our credentials (HTTP %2): check the token")
                                  .arg(header.dashboard.cloudUrl).arg(header.dashboard.cloudRefusedStatus)
                            : header.dashboard.cloudState === "offline" ? qsTr("no cloud configured") : ""
                }
            }
            StatusBadge {
                objectName: "cloudBadge"
                status: header.dashboard.cloudState
                unit: header.unit
                implicitHeight: 24 * header.unit
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
                implicitHeight: tile.implicitHeight + 2 * header.unit
                Layout.fillHeight: true
                // Number and word side by side where the width allows (the
                // number larger then), else one above the other.
                GridLayout {
                    id: tile
                    anchors.centerIn: parent
                    columns: header.oneLine ? 2 : 1
                    rowSpacing: 0
                    columnSpacing: 8 * header.unit
                    Text {
                        textFormat: Text.PlainText
                        Layout.alignment: Qt.AlignHCenter | Qt.AlignVCenter
                        text: modelData.count
                        color: modelData.status === "error" && modelData.count > 0 ? "white" : Theme.statusColor(modelData.status)
                        font.pixelSize: (header.oneLine ? 26 : 18) * header.unit
                        font.bold: true
                    }
                    Text {
                        textFormat: Text.PlainText
                        Layout.alignment: Qt.AlignHCenter | Qt.AlignVCenter
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
