import QtQuick
import QtQuick.Controls.Basic
import ControlNuc

// A text field for the touchscreen, 48 px high at scale 1. Its hint is a
// plain Text of our own: the style's placeholder would read markup.
TextField {
    id: field
    property real unit: 1
    property string hint: ""

    implicitHeight: 48 * unit
    font.pixelSize: 17 * unit
    color: Theme.text
    leftPadding: 10 * unit
    rightPadding: 10 * unit
    inputMethodHints: Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
    background: Rectangle {
        radius: 6 * field.unit
        color: Theme.background
        border.color: field.activeFocus ? Theme.accent : Theme.surfaceHigh
        border.width: 2
    }
    Text {
        textFormat: Text.PlainText
        anchors.fill: parent
        anchors.leftMargin: field.leftPadding
        anchors.rightMargin: field.rightPadding
        verticalAlignment: Text.AlignVCenter
        visible: field.text.length === 0 && !field.activeFocus
        text: field.hint
        color: Theme.textDim
        font.pixelSize: field.font.pixelSize
        elide: Text.ElideRight
    }
}
