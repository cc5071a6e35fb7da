import QtQuick
import ControlNuc

// A text field for the touchscreen, 48 px high at scale 1, with a hint while
// empty. Built on TextInput: a styled TextField brings a placeholder Text of
// its own that reads markup, and every Text here is plain (dashboard.md).
Rectangle {
    id: field
    property real unit: 1
    property string hint: ""
    property alias text: input.text
    property alias font: input.font

    function focusInput() {
        input.forceActiveFocus()
    }

    implicitHeight: 48 * unit
    implicitWidth: 200 * unit
    radius: 6 * unit
    color: Theme.background
    border.color: input.activeFocus ? Theme.accent : Theme.surfaceHigh
    border.width: 2

    TextInput {
        id: input
        anchors.fill: parent
        anchors.leftMargin: 10 * field.unit
        anchors.rightMargin: 10 * field.unit
        verticalAlignment: TextInput.AlignVCenter
        color: Theme.text
        selectionColor: Theme.accent
        font.pixelSize: 17 * field.unit
        clip: true
        selectByMouse: true
        inputMethodHints: Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
    }
    Text {
        textFormat: Text.PlainText
        anchors.fill: input
        verticalAlignment: Text.AlignVCenter
        visible: input.text.length === 0 && !input.activeFocus
        text: field.hint
        color: Theme.textDim
        font.pixelSize: input.font.pixelSize
        elide: Text.ElideRight
    }
}
