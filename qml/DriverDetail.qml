import QtQuick
import QtQuick.Layouts
import ControlNuc

// One driver: its devices and its recent syncs, the reload action, and the
// versions kept for rollback.
Item {
    id: detail
    required property Dashboard dashboard
    property real unit: 1
    property date now: new Date()
    property string driverType: ""
    signal back()
    signal reloadRequested(string driverType)
    signal deviceChosen(string deviceId)
    signal rollbackRequested(string driverType, string version)
    // Re-read when a version becomes active (driverRevision changes).
    readonly property var keptVersions: detail.dashboard.driverRevision >= 0 && detail.driverType !== ""
                                        ? detail.dashboard.keptVersions(detail.driverType) : []

    ColumnLayout {
        anchors.fill: parent
        spacing: 10 * detail.unit

        RowLayout {
            Layout.fillWidth: true
            spacing: 12 * detail.unit
            ActionButton {
                objectName: "backButton"
                unit: detail.unit
                text: qsTr("‹ Back")
                tint: Theme.surfaceHigh
                onClicked: detail.back()
            }
            Text {
                textFormat: Text.PlainText
                text: detail.driverType
                color: Theme.text
                font.pixelSize: 24 * detail.unit
                font.bold: true
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            ActionButton {
                objectName: "reloadDriverButton"
                unit: detail.unit
                text: qsTr("Reload driver")
                enabled: !detail.dashboard.actionRunning
                onClicked: detail.reloadRequested(detail.driverType)
            }
        }

        Flow {
            objectName: "keptVersions"
            Layout.fillWidth: true
            spacing: 8 * detail.unit
            Text {
                objectName: "keptVersionsText"
                textFormat: Text.PlainText
                height: 48 * detail.unit
                verticalAlignment: Text.AlignVCenter
                text: detail.keptVersions.length > 0 ? qsTr("Kept versions: %1").arg(detail.keptVersions.join(", "))
                                                     : qsTr("No earlier version kept")
                color: Theme.textDim
                font.pixelSize: 18 * detail.unit
            }
            Repeater {
                model: detail.keptVersions
                delegate: ActionButton {
                    required property string modelData
                    objectName: "rollbackButton_" + modelData
                    unit: detail.unit
                    text: qsTr("Roll back to %1").arg(modelData)
                    tint: Theme.surfaceHigh
                    enabled: !detail.dashboard.actionRunning
                    onClicked: detail.rollbackRequested(detail.driverType, modelData)
                }
            }
        }

        GridLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            columns: detail.width > 1000 * detail.unit ? 2 : 1
            columnSpacing: 12 * detail.unit
            rowSpacing: 8 * detail.unit

            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Text {
                    textFormat: Text.PlainText
                    text: qsTr("Devices")
                    color: Theme.textDim
                    font.pixelSize: 18 * detail.unit
                }
                DevicesView {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    dashboard: detail.dashboard
                    unit: detail.unit
                    now: detail.now
                    typeFilter: detail.driverType
                    showFilters: false
                    onDeviceChosen: (deviceId) => detail.deviceChosen(deviceId)
                }
            }
            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Text {
                    textFormat: Text.PlainText
                    text: qsTr("Recent syncs")
                    color: Theme.textDim
                    font.pixelSize: 18 * detail.unit
                }
                ActivityView {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    dashboard: detail.dashboard
                    unit: detail.unit
                    typeFilter: detail.driverType
                }
            }
        }
    }
}
