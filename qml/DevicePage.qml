import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import ControlNuc

// One device: who and where it is, its driver, status since when, live
// state and its age, last error, recent changes, the calls into its driver,
// and test commands (behind the technician session). Two columns on a wide
// panel, one below the other on a narrow one; the page scrolls.
Item {
    id: page
    required property Dashboard dashboard
    property real unit: 1
    property date now: new Date()
    readonly property DeviceDetail detail: dashboard.deviceDetail
    readonly property bool wide: width >= 1000 * Math.min(unit, 1.2)
    readonly property real u: Math.min(unit, 1.2)
    signal back()
    signal reconnectRequested(string deviceId, string name)
    signal unlockRequested()

    function age(t) {
        if (!t || isNaN(t.getTime()))
            return ""
        const s = Math.max(0, Math.floor((now.getTime() - t.getTime()) / 1000))
        if (s < 60) return qsTr("%n s ago", "", s)
        if (s < 3600) return qsTr("%n min ago", "", Math.floor(s / 60))
        if (s < 172800) return qsTr("%n h ago", "", Math.floor(s / 3600))
        return qsTr("%n day(s) ago", "", Math.floor(s / 86400))
    }
    // Numbers only: reads the same in every language.
    function clock(t) {
        if (!t || isNaN(t.getTime()))
            return ""
        const today = new Date(now.getTime()).toDateString() === t.toDateString()
        return Qt.formatDateTime(t, today ? "HH:mm:ss" : "dd.MM.yyyy HH:mm:ss")
    }
    function stateText(state) {
        const keys = Object.keys(state || {})
        return keys.map(k => k + ": " + JSON.stringify(state[k])).join("  ·  ")
    }
    function runCommand(command) {
        if ((command.params || []).length > 0) {
            commandName.text = command.name
            paramsField.text = page.detail.paramsTemplate(command.name)
            paramsField.focusInput()
            return
        }
        sendProblem.text = page.detail.sendCommand(command.name, "{}")
    }

    // A label and its value, the value wrapping.
    component Field: RowLayout {
        id: field
        property alias label: labelText.text
        property alias value: valueText.text
        property alias valueName: valueText.objectName
        property color valueColor: Theme.text
        property real u: 1
        Layout.fillWidth: true
        spacing: 8 * field.u
        Text {
            id: labelText
            textFormat: Text.PlainText
            Layout.preferredWidth: 150 * field.u
            Layout.alignment: Qt.AlignTop
            color: Theme.textDim
            font.pixelSize: 16 * field.u
            wrapMode: Text.Wrap
        }
        Text {
            id: valueText
            textFormat: Text.PlainText
            Layout.fillWidth: true
            color: field.valueColor
            font.pixelSize: 17 * field.u
            wrapMode: Text.Wrap
            maximumLineCount: 4
            elide: Text.ElideRight
        }
    }

    // Heading: back, name and id, status, reconnect.
    RowLayout {
        id: heading
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        spacing: 10 * page.u
        ActionButton {
            objectName: "deviceBackButton"
            unit: page.u
            text: "‹ " + qsTr("Devices")
            tint: Theme.surfaceHigh
            onClicked: page.back()
        }
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 0
            Text {
                objectName: "deviceDetailName"
                textFormat: Text.PlainText
                Layout.fillWidth: true
                text: page.detail.exists ? page.detail.name : qsTr("Device %1 no longer exists").arg(page.detail.deviceId)
                color: Theme.text
                font.pixelSize: 21 * page.u
                font.bold: true
                elide: Text.ElideRight
            }
            Text {
                objectName: "deviceDetailId"
                textFormat: Text.PlainText
                Layout.fillWidth: true
                text: page.detail.deviceId
                color: Theme.textDim
                font.pixelSize: 16 * page.u
                elide: Text.ElideMiddle
            }
        }
        StatusBadge {
            objectName: "deviceDetailStatus"
            visible: page.detail.exists
            status: page.detail.status
            unit: page.u
        }
        ActionButton {
            objectName: "deviceReconnectButton"
            visible: page.detail.exists
            unit: page.u
            text: qsTr("Reconnect")
            tint: Theme.surfaceHigh
            enabled: !page.dashboard.actionRunning
            onClicked: page.reconnectRequested(page.detail.deviceId, page.detail.name)
        }
    }

    Flickable {
        id: flick
        objectName: "deviceDetailFlick"
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: heading.bottom
        anchors.bottom: parent.bottom
        anchors.topMargin: 8 * page.u
        clip: true
        contentHeight: columns.implicitHeight
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: pageBar

        GridLayout {
            id: columns
            width: flick.width - 30 * page.u
            columns: page.wide ? 2 : 1
            columnSpacing: 14 * page.u
            rowSpacing: 14 * page.u

            // What the device is and how it is.
            ColumnLayout {
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                Layout.alignment: Qt.AlignTop
                spacing: 4 * page.u

                Field { u: page.u; label: qsTr("Room"); value: page.detail.room || "—"; valueName: "deviceDetailRoom" }
                Field {
                    u: page.u
                    label: qsTr("Driver")
                    valueName: "deviceDetailDriver"
                    value: page.detail.driverType + (page.detail.driverVersion ? " " + page.detail.driverVersion : "  (" + qsTr("not installed") + ")")
                }
                Field {
                    u: page.u
                    label: qsTr("Status")
                    valueName: "deviceDetailSince"
                    value: (page.detail.status === "connected" ? qsTr("connected since %1") : qsTr("down since %1"))
                               .arg(page.clock(page.detail.since)) + "  (" + page.age(page.detail.since) + ")"
                               + (page.detail.message ? "\n" + page.detail.message : "")
                }
                Field {
                    u: page.u
                    label: page.detail.stateCurrent ? qsTr("Live state") : qsTr("Last known state")
                    valueName: "deviceDetailState"
                    valueColor: page.detail.stateCurrent ? Theme.accent : Theme.textDim
                    value: Object.keys(page.detail.state).length === 0 ? "—"
                         : page.stateText(page.detail.state) + "  (" + qsTr("updated %1").arg(page.age(page.detail.stateAt)) + ")"
                }
                Field {
                    u: page.u
                    label: qsTr("Last error")
                    valueName: "deviceDetailLastError"
                    valueColor: page.detail.lastError ? "#ffb3b5" : Theme.text
                    value: page.detail.lastError ? page.clock(page.detail.lastErrorAt) + "  " + page.detail.lastError : qsTr("none")
                }
                Field {
                    u: page.u
                    label: qsTr("Driver calls")
                    valueName: "deviceDetailFigures"
                    value: page.detail.figures.calls === undefined ? qsTr("no figures yet")
                         : qsTr("%1 calls, %2 errors, %3 timeouts · p50 %4 ms · p99 %5 ms")
                               .arg(page.detail.figures.calls).arg(page.detail.figures.errors).arg(page.detail.figures.timeouts)
                               .arg(Number(page.detail.figures.p50).toFixed(1)).arg(Number(page.detail.figures.p99).toFixed(1))
                }

                Text {
                    textFormat: Text.PlainText
                    text: qsTr("Recent changes")
                    color: Theme.text
                    font.pixelSize: 18 * page.u
                    font.bold: true
                    Layout.topMargin: 6 * page.u
                }
                Repeater {
                    objectName: "deviceDetailEvents"
                    model: page.detail.events
                    delegate: RowLayout {
                        required property var modelData
                        Layout.fillWidth: true
                        spacing: 8 * page.u
                        Text {
                            textFormat: Text.PlainText
                            text: page.clock(modelData.at)
                            color: Theme.textDim
                            font.pixelSize: 16 * page.u
                        }
                        Text {
                            textFormat: Text.PlainText
                            text: Theme.statusSymbol(modelData.status) + " " + statusWords.label(modelData.status)
                            color: Theme.statusColor(modelData.status)
                            font.pixelSize: 16 * page.u
                            font.bold: true
                        }
                        Text {
                            textFormat: Text.PlainText
                            Layout.fillWidth: true
                            text: modelData.message
                            color: Theme.textDim
                            font.pixelSize: 16 * page.u
                            elide: Text.ElideRight
                        }
                    }
                }
                Text {
                    textFormat: Text.PlainText
                    visible: page.detail.events.length === 0
                    text: qsTr("No changes since the controller started.")
                    color: Theme.textDim
                    font.pixelSize: 16 * page.u
                }
            }

            // Test commands, behind the technician session.
            ColumnLayout {
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                Layout.alignment: Qt.AlignTop
                spacing: 8 * page.u

                Text {
                    textFormat: Text.PlainText
                    text: qsTr("Test commands")
                    color: Theme.text
                    font.pixelSize: 18 * page.u
                    font.bold: true
                }
                RowLayout {
                    visible: !page.dashboard.session.unlocked
                    Layout.fillWidth: true
                    spacing: 8 * page.u
                    Text {
                        textFormat: Text.PlainText
                        Layout.fillWidth: true
                        text: qsTr("Locked: enter the technician PIN to send commands.")
                        color: Theme.textDim
                        font.pixelSize: 16 * page.u
                        wrapMode: Text.Wrap
                    }
                    ActionButton {
                        objectName: "unlockButton"
                        unit: page.u
                        text: qsTr("Unlock")
                        onClicked: page.unlockRequested()
                    }
                }
                Text {
                    objectName: "commandsProblem"
                    textFormat: Text.PlainText
                    visible: page.detail.commandsProblem.length > 0
                    Layout.fillWidth: true
                    text: qsTr("The driver's command list was refused: %1").arg(page.detail.commandsProblem)
                    color: Theme.busy
                    font.pixelSize: 16 * page.u
                    wrapMode: Text.Wrap
                }
                Flow {
                    Layout.fillWidth: true
                    spacing: 6 * page.u
                    Repeater {
                        model: page.detail.commands
                        delegate: ActionButton {
                            required property var modelData
                            objectName: "command_" + modelData.name
                            unit: page.u
                            font.pixelSize: 16 * page.u
                            text: modelData.name + ((modelData.params || []).length > 0 ? " …" : "")
                            tint: modelData.source === "driver" ? Theme.accent : Theme.surfaceHigh
                            enabled: page.dashboard.session.unlocked && page.detail.exists
                            onClicked: page.runCommand(modelData)
                        }
                    }
                }
                Text {
                    textFormat: Text.PlainText
                    visible: page.detail.commands.length === 0
                    text: qsTr("The driver declares no commands; send one by name below.")
                    color: Theme.textDim
                    font.pixelSize: 16 * page.u
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                }
                GridLayout {
                    Layout.fillWidth: true
                    columns: 2
                    columnSpacing: 6 * page.u
                    rowSpacing: 6 * page.u
                    InputField {
                        id: commandName
                        objectName: "commandName"
                        Layout.fillWidth: true
                        unit: page.u
                        hint: qsTr("Command")
                    }
                    ActionButton {
                        objectName: "sendCommandButton"
                        unit: page.u
                        text: qsTr("Send")
                        enabled: page.dashboard.session.unlocked && page.detail.exists && commandName.text.length > 0
                        onClicked: sendProblem.text = page.detail.sendCommand(commandName.text, paramsField.text)
                    }
                    InputField {
                        id: paramsField
                        objectName: "commandParams"
                        Layout.fillWidth: true
                        Layout.columnSpan: 2
                        unit: page.u
                        font.family: "monospace"
                        hint: qsTr("Parameters as JSON, e.g. {\"level\": 5}")
                    }
                }
                Text {
                    id: sendProblem
                    objectName: "sendProblem"
                    textFormat: Text.PlainText
                    visible: text.length > 0
                    Layout.fillWidth: true
                    color: "#ffb3b5"
                    font.pixelSize: 16 * page.u
                    wrapMode: Text.Wrap
                }
                Text {
                    textFormat: Text.PlainText
                    visible: page.detail.running > 0
                    text: qsTr("Waiting for %n answer(s)…", "", page.detail.running)
                    color: Theme.busy
                    font.pixelSize: 16 * page.u
                }
                Repeater {
                    model: page.detail.results
                    delegate: Rectangle {
                        required property var modelData
                        required property int index
                        Layout.fillWidth: true
                        implicitHeight: resultText.implicitHeight + 12 * page.u
                        radius: 6 * page.u
                        color: modelData.ok ? Qt.rgba(0.18, 0.7, 0.43, 0.18) : Qt.rgba(0.9, 0.28, 0.3, 0.18)
                        border.color: modelData.ok ? Theme.ok : Theme.bad
                        border.width: 1
                        Text {
                            id: resultText
                            objectName: "commandResult_" + index
                            textFormat: Text.PlainText
                            anchors.fill: parent
                            anchors.margins: 6 * page.u
                            text: (modelData.ok ? "✔ " : "✖ ") + modelData.command + " · "
                                  + qsTr("%1 ms").arg(Number(modelData.durationMs).toFixed(1)) + " · " + page.clock(modelData.at)
                                  + "\n" + modelData.text
                            color: Theme.text
                            font.pixelSize: 16 * page.u
                            wrapMode: Text.WrapAnywhere
                            maximumLineCount: 4
                            elide: Text.ElideRight
                        }
                    }
                }
            }
        }
    }

    // Beside the page, wide enough for a finger, shown while it scrolls.
    ScrollBar {
        id: pageBar
        anchors.right: parent.right
        anchors.top: flick.top
        anchors.bottom: flick.bottom
        width: 24 * page.u
        policy: flick.contentHeight > flick.height ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded
    }

    StatusBadge {
        id: statusWords
        visible: false
        status: ""
    }
}
