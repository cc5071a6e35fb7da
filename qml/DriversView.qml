import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import ControlNuc

// The installed drivers; tapping one opens its devices and recent syncs.
Item {
    id: view
    required property Dashboard dashboard
    property real unit: 1
    signal driverChosen(string driverType)

    ListView {
        id: list
        objectName: "driverList"
        anchors.fill: parent
        clip: true
        spacing: 6 * view.unit
        model: view.dashboard.drivers
        ScrollBar.vertical: ScrollBar { width: 14 * view.unit }

        delegate: Rectangle {
            id: row
            required property string driverType
            required property string version
            required property string protocol
            required property date syncedAt
            required property string status
            required property int deviceCount

            width: ListView.view.width
            implicitHeight: Math.max(64 * view.unit, content.implicitHeight + 16 * view.unit)
            radius: 8 * view.unit
            color: tap.pressed ? Theme.surfaceHigh : Theme.surface

            TapHandler {
                id: tap
                onTapped: view.driverChosen(row.driverType)
            }
            RowLayout {
                id: content
                anchors.fill: parent
                anchors.margins: 8 * view.unit
                spacing: 14 * view.unit
                StatusBadge {
                    status: row.status
                    unit: view.unit
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2 * view.unit
                    Text {
                        textFormat: Text.PlainText
                        text: row.driverType
                        color: Theme.text
                        font.pixelSize: 20 * view.unit
                        font.bold: true
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    Text {
                        textFormat: Text.PlainText
                        text: qsTr("Version %1 · %2 · synced %3").arg(row.version).arg(row.protocol.toUpperCase())
                                  .arg(row.syncedAt.toLocaleString(Qt.locale(), Locale.ShortFormat))
                        color: Theme.textDim
                        font.pixelSize: 16 * view.unit
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                }
                Text {
                    textFormat: Text.PlainText
                    text: qsTr("%n device(s)", "", row.deviceCount)
                    color: Theme.text
                    font.pixelSize: 18 * view.unit
                }
                Text {
                    textFormat: Text.PlainText
                    text: "›"
                    color: Theme.textDim
                    font.pixelSize: 34 * view.unit
                }
            }
        }

        Text {
            textFormat: Text.PlainText
            anchors.centerIn: parent
            visible: list.count === 0
            text: qsTr("No drivers installed yet.")
            color: Theme.textDim
            font.pixelSize: 20 * view.unit
        }
    }
}
