import QtQuick
import QtQuick.Controls.Basic
import ControlNuc

// A touch button: at least 48 px high at scale 1 (44 in the rows that must
// stay low: tabs, toolbar, session bar), no hover-only state.
Button {
    id: control
    property real unit: 1
    property color tint: Theme.accent
    property real touchHeight: 48

    implicitHeight: Math.max(touchHeight * unit, contentItem.implicitHeight + 8 * unit)
    leftPadding: 18 * unit
    rightPadding: 18 * unit
    font.pixelSize: 18 * unit
    font.bold: true
    contentItem: Text {
        textFormat: Text.PlainText
        text: control.text
        font: control.font
        color: control.enabled ? "white" : Theme.textDim
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: 8 * control.unit
        color: !control.enabled ? Theme.surfaceHigh : control.down ? Qt.darker(control.tint, 1.4) : control.tint
    }
}
