import QtQuick
import QtQuick.Layouts
import ControlNuc

// While the technician session is unlocked: how long it still runs, and
// "Lock now". In the bottom line beside the error banner (Main.qml): it
// never covers the banner or a row.
Rectangle {
    id: bar
    required property Dashboard dashboard
    property real unit: 1

    function clock(s) {
        const m = Math.floor(s / 60)
        const r = s % 60
        return m + ":" + (r < 10 ? "0" : "") + r
    }

    visible: dashboard.session.unlocked
    color: Theme.surfaceHigh
    border.color: Theme.busy
    border.width: 2
    implicitWidth: row.implicitWidth + 16 * unit
    implicitHeight: row.implicitHeight + 4 * unit

    RowLayout {
        id: row
        anchors.centerIn: parent
        spacing: 10 * bar.unit
        Text {
            objectName: "sessionCountdown"
            textFormat: Text.PlainText
            text: qsTr("Technician unlocked: %1").arg(bar.clock(bar.dashboard.session.remainingS))
            color: Theme.text
            font.pixelSize: 16 * bar.unit
            font.bold: true
        }
        ActionButton {
            objectName: "lockNowButton"
            unit: bar.unit
            touchHeight: 44
            font.pixelSize: 16 * bar.unit
            leftPadding: 12 * bar.unit
            rightPadding: 12 * bar.unit
            text: qsTr("Lock now")
            tint: Theme.busy
            onClicked: bar.dashboard.session.lockNow()
        }
    }
}
