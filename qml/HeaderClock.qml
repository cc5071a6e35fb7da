import QtQuick
import QtQuick.Layouts
import ControlNuc

// Time and date beside the tabs, in the chosen language's format (the
// default locale is set from --lang in main.cpp); follows `now`.
ColumnLayout {
    id: clock
    property real unit: 1
    property date now: new Date()

    spacing: 0
    Text {
        objectName: "clockTime"
        textFormat: Text.PlainText
        Layout.alignment: Qt.AlignRight
        text: clock.now.toLocaleTimeString(Qt.locale(), Locale.ShortFormat)
        color: Theme.text
        font.pixelSize: 18 * clock.unit
        font.bold: true
    }
    Text {
        objectName: "clockDate"
        textFormat: Text.PlainText
        Layout.alignment: Qt.AlignRight
        text: clock.now.toLocaleDateString(Qt.locale(), Locale.ShortFormat)
        color: Theme.textDim
        font.pixelSize: 16 * clock.unit
    }
}
