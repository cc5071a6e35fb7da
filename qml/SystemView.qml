import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import ControlNuc

// Set-up facts for the technician: who this controller is, its network
// interfaces, the cloud and why it refuses, uptime, disk, driver hosts.
// Refreshed while shown (SystemInfo reads the system off the GUI thread).
Item {
    id: view
    required property Dashboard dashboard
    property real unit: 1

    SystemInfo {
        id: info
        objectName: "systemInfo"
        dashboard: view.dashboard
        active: view.visible
    }

    function duration(s) {
        const d = Math.floor(s / 86400)
        const h = Math.floor(s / 3600) % 24
        const m = Math.floor(s / 60) % 60
        if (d > 0) return qsTr("%n day(s)", "", d) + " " + qsTr("%1 h %2 min").arg(h).arg(m)
        return qsTr("%1 h %2 min").arg(h).arg(m)
    }
    function cloudText() {
        const d = view.dashboard
        if (d.cloudState === "offline")
            return qsTr("no cloud configured")
        const word = stateWords.label(d.cloudState)
        if (d.cloudState === "refused")
            return word + ": " + qsTr("%1 refused our credentials (HTTP %2): check the token").arg(d.cloudUrl).arg(d.cloudRefusedStatus)
        return word + ": " + d.cloudUrl
    }

    StatusBadge { id: stateWords; visible: false; status: "" }

    // One "label: value" line; values wrap rather than run off the screen.
    component Fact: RowLayout {
        id: fact
        property string label
        property string value
        property string valueName: ""
        Layout.fillWidth: true
        spacing: 12 * view.unit
        Text {
            textFormat: Text.PlainText
            text: fact.label
            color: Theme.textDim
            font.pixelSize: 17 * view.unit
            // One column of labels, so the values line up.
            Layout.preferredWidth: 130 * view.unit
            Layout.alignment: Qt.AlignTop
            elide: Text.ElideRight
        }
        Text {
            objectName: fact.valueName
            textFormat: Text.PlainText
            text: fact.value
            color: Theme.text
            font.pixelSize: 17 * view.unit
            wrapMode: Text.WrapAnywhere
            Layout.fillWidth: true
        }
    }
    component Heading: Text {
        textFormat: Text.PlainText
        color: Theme.accent
        font.pixelSize: 19 * view.unit
        font.bold: true
        Layout.topMargin: 6 * view.unit
        Layout.fillWidth: true
        elide: Text.ElideRight
    }

    Flickable {
        id: flick
        objectName: "systemFlick"
        anchors.fill: parent
        clip: true
        contentHeight: facts.implicitHeight
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {
            anchors.right: parent.right
            anchors.top: parent.top
            anchors.bottom: parent.bottom
            width: 24 * view.unit
            policy: ScrollBar.AlwaysOn
            visible: flick.contentHeight > flick.height
        }

        ColumnLayout {
            id: facts
            width: flick.width - 32 * view.unit
            spacing: 6 * view.unit

            Heading { text: qsTr("Controller") }
            Fact { label: qsTr("Id"); value: view.dashboard.controllerId; valueName: "systemControllerId" }
            Fact { label: qsTr("Name"); value: view.dashboard.controllerName }
            Fact { label: qsTr("App version"); value: view.dashboard.appVersion; valueName: "systemVersion" }
            Fact { label: qsTr("Uptime"); value: qsTr("app %1 · system %2").arg(view.duration(info.appUptimeS)).arg(view.duration(info.systemUptimeS)); valueName: "systemUptime" }
            Fact {
                label: qsTr("Disk")
                valueName: "systemDisk"
                value: info.diskTotalBytes > 0
                       ? qsTr("%1 free of %2 under %3").arg(info.sizeText(info.diskFreeBytes)).arg(info.sizeText(info.diskTotalBytes)).arg(info.rootPath)
                       : ""
            }

            Heading { text: qsTr("Cloud") }
            Fact { label: qsTr("State"); value: view.cloudText(); valueName: "systemCloud" }

            Heading { text: qsTr("Network") }
            Repeater {
                model: info.interfaces
                delegate: Fact {
                    required property var modelData
                    required property int index
                    valueName: "systemInterface_" + index
                    label: modelData.name
                    value: (modelData.up ? "" : qsTr("down") + " · ")
                           + (modelData.addresses.length > 0 ? modelData.addresses.join("  ") : qsTr("no address"))
                           + (modelData.mac ? "  ·  MAC " + modelData.mac : "")
                }
            }

            Heading { text: qsTr("Driver hosts") }
            Text {
                textFormat: Text.PlainText
                visible: info.hosts.length === 0
                text: qsTr("No driver host running.")
                color: Theme.textDim
                font.pixelSize: 17 * view.unit
            }
            Repeater {
                model: info.hosts
                delegate: Fact {
                    required property var modelData
                    valueName: "systemHost_" + modelData.driverType
                    label: modelData.driverType
                    value: (modelData.pid > 0 ? qsTr("%1 memory · pid %2").arg(modelData.memoryText).arg(modelData.pid)
                                              : qsTr("not running"))
                           + " · " + qsTr("%n device(s)", "", modelData.devices)
                           + (modelData.restarts > 0 ? " · " + qsTr("%n restart(s)", "", modelData.restarts) : "")
                }
            }
        }
    }
}
