import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import ControlNuc

// Recent driver syncs, their steps as they happen, and their outcome.
Item {
    id: view
    required property Dashboard dashboard
    property real unit: 1
    property string typeFilter: ""

    function stepText(step) {
        switch (step) {
        case "saving_file": return qsTr("Saving file")
        case "validating": return qsTr("Validating")
        case "storing": return qsTr("Storing")
        case "reloading_devices": return qsTr("Reloading devices")
        default: return step
        }
    }

    FilterProxyModel {
        id: filtered
        sourceModel: view.dashboard.syncs
        filterRoleName: "driverType"
        filterValue: view.typeFilter
    }

    ListView {
        id: list
        objectName: "syncList"
        anchors.fill: parent
        clip: true
        spacing: 6 * view.unit
        model: filtered
        ScrollBar.vertical: ScrollBar { width: 14 * view.unit }

        delegate: Rectangle {
            id: row
            required property string syncId
            required property string driverType
            required property string version
            required property string step
            required property string outcome
            required property string errorMessage
            required property date startedAt

            width: ListView.view.width
            implicitHeight: content.implicitHeight + 16 * view.unit
            radius: 8 * view.unit
            color: Theme.surface
            border.color: outcome === "failed" ? Theme.bad : "transparent"
            border.width: 2

            RowLayout {
                id: content
                anchors.fill: parent
                anchors.margins: 8 * view.unit
                spacing: 12 * view.unit
                StatusBadge {
                    status: row.outcome
                    unit: view.unit
                    Layout.preferredWidth: 170 * view.unit
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2 * view.unit
                    Text {
                        textFormat: Text.PlainText
                        text: (row.driverType || qsTr("(unknown driver)")) + (row.version ? "  " + row.version : "")
                        color: Theme.text
                        font.pixelSize: 19 * view.unit
                        font.bold: true
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    Text {
                        textFormat: Text.PlainText
                        objectName: "syncStep"
                        text: row.outcome === "in_progress" ? qsTr("Step: %1").arg(view.stepText(row.step))
                                                             : qsTr("Sync %1 · %2").arg(row.syncId)
                                                               .arg(row.startedAt.toLocaleTimeString(Qt.locale(), Locale.ShortFormat))
                        color: Theme.textDim
                        font.pixelSize: 16 * view.unit
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    Text {
                        textFormat: Text.PlainText
                        objectName: "syncError"
                        visible: row.errorMessage.length > 0
                        text: row.errorMessage
                        color: "#ffb3b5"
                        font.pixelSize: 16 * view.unit
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                }
            }
        }

        Text {
            textFormat: Text.PlainText
            anchors.centerIn: parent
            visible: list.count === 0
            text: qsTr("No driver syncs yet.")
            color: Theme.textDim
            font.pixelSize: 20 * view.unit
        }
    }
}
