import QtQuick
import QtQuick.Layouts
import ControlNuc

// One device in the list, compact: two lines in one finger's height (48 px
// at 800×480, about 9 mm on a 7" panel). Status as colour, symbol and word;
// name and id; the message (in error) or the live state; room, driver and
// how long it has been up or down. Tap it for the device's page.
Rectangle {
    id: row
    required property string deviceId
    required property string name
    required property string type
    required property string status
    required property string message
    required property var state
    required property date since
    required property string room
    required property bool stateCurrent
    required property Item owner   // the DevicesView (typed Item: the two files would import each other)
    signal chosen(string deviceId)

    readonly property real u: owner.dense
    width: ListView.view ? ListView.view.width - owner.scrollBarWidth - 4 * u : 0
    implicitHeight: 48 * u
    radius: 6 * u
    color: tap.pressed ? Theme.surfaceHigh : status === "error" ? Qt.rgba(0.9, 0.28, 0.3, 0.18) : Theme.surface
    border.color: status === "error" ? Theme.bad : "transparent"
    border.width: 2

    TapHandler {
        id: tap
        onTapped: row.chosen(row.deviceId)
    }

    // The status strip: colour, symbol and word.
    Rectangle {
        id: strip
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        width: 132 * row.u
        radius: row.radius
        color: Theme.statusColor(row.status)
        Row {
            anchors.centerIn: parent
            spacing: 5 * row.u
            Text {
                textFormat: Text.PlainText
                text: Theme.statusSymbol(row.status)
                color: "white"
                font.pixelSize: 17 * row.u
                font.bold: true
            }
            Text {
                textFormat: Text.PlainText
                objectName: "statusWord"
                text: row.owner.statusWord(row.status)
                color: "white"
                font.pixelSize: 16 * row.u
                font.bold: true
                width: Math.min(implicitWidth, strip.width - 30 * row.u)
                elide: Text.ElideRight
            }
        }
    }

    ColumnLayout {
        anchors.left: strip.right
        anchors.right: side.left
        anchors.verticalCenter: parent.verticalCenter
        anchors.leftMargin: 10 * row.u
        anchors.rightMargin: 8 * row.u
        spacing: 0
        Text {
            objectName: "name_" + row.deviceId
            textFormat: Text.PlainText
            Layout.fillWidth: true
            text: row.name + "  ·  " + row.deviceId
            color: Theme.text
            font.pixelSize: 17 * row.u
            font.bold: true
            elide: Text.ElideMiddle
        }
        Text {
            objectName: "state_" + row.deviceId
            textFormat: Text.PlainText
            Layout.fillWidth: true
            visible: !messageLine.visible
            // Not from the instance connected now: not current.
            text: row.owner.stateText(row.state).length === 0 ? ""
                : row.stateCurrent ? row.owner.stateText(row.state)
                : qsTr("last known: %1").arg(row.owner.stateText(row.state))
            color: row.stateCurrent ? Theme.accent : Theme.textDim
            font.pixelSize: 16 * row.u
            font.italic: !row.stateCurrent
            elide: Text.ElideRight
        }
        Text {
            id: messageLine
            textFormat: Text.PlainText
            Layout.fillWidth: true
            visible: row.message.length > 0 && row.status !== "connected"
            text: row.message
            color: row.status === "error" ? "#ffb3b5" : Theme.textDim
            font.pixelSize: 16 * row.u
            elide: Text.ElideRight
        }
    }

    Column {
        id: side
        anchors.right: parent.right
        anchors.rightMargin: 10 * row.u
        anchors.verticalCenter: parent.verticalCenter
        width: Math.min(Math.max(roomText.implicitWidth, sinceText.implicitWidth), row.width * 0.32)
        Text {
            id: roomText
            textFormat: Text.PlainText
            width: parent.width
            horizontalAlignment: Text.AlignRight
            // The room matters most; the driver type where there is room for it.
            text: row.room.length === 0 ? row.type
                : row.width > 900 * row.u ? row.room + "  ·  " + row.type : row.room
            color: Theme.textDim
            font.pixelSize: 16 * row.u
            elide: Text.ElideRight
        }
        Text {
            id: sinceText
            objectName: "since_" + row.deviceId
            textFormat: Text.PlainText
            width: parent.width
            horizontalAlignment: Text.AlignRight
            text: row.owner.sinceText(row.status, row.since)
            color: row.status === "connected" ? Theme.textDim : Theme.text
            font.pixelSize: 16 * row.u
            elide: Text.ElideRight
        }
    }
}
