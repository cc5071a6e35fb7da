import QtQuick
import QtQuick.Layouts
import ControlNuc

// A status as colour, symbol and word, readable from across the room.
Rectangle {
    id: badge
    required property string status
    property real unit: 1
    property bool large: false

    function label(s) {
        switch (s) {
        case "connected": return qsTr("Connected")
        case "connecting": return qsTr("Connecting")
        case "disconnected": return qsTr("Disconnected")
        case "error": return qsTr("Error")
        case "reconnecting": return qsTr("Reconnecting")
        case "refused": return qsTr("Refused")
        case "offline": return qsTr("Offline")
        case "completed": return qsTr("Completed")
        case "failed": return qsTr("Failed")
        case "in_progress": return qsTr("In progress")
        case "active": return qsTr("Active")
        default: return s
        }
    }

    radius: height / 2
    color: Theme.statusColor(status)
    implicitHeight: (large ? 44 : 34) * unit
    implicitWidth: row.implicitWidth + 24 * unit

    RowLayout {
        id: row
        anchors.centerIn: parent
        spacing: 8 * badge.unit
        Text {
            textFormat: Text.PlainText
            text: Theme.statusSymbol(badge.status)
            color: "white"
            font.pixelSize: (badge.large ? 24 : 18) * badge.unit
            font.bold: true
        }
        Text {
            textFormat: Text.PlainText
            objectName: "statusWord"
            text: badge.label(badge.status)
            color: "white"
            font.pixelSize: (badge.large ? 22 : 17) * badge.unit
            font.bold: true
        }
    }
}
