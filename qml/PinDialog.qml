import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import ControlNuc

// Technician actions: PIN first, then a confirmation naming what will
// happen, then the action runs (the dashboard shows its progress).
Popup {
    id: dialog
    required property Dashboard dashboard
    property real unit: 1
    property string title: ""
    property string consequence: ""
    property var action: null       // function(pin)
    property string pin: ""
    property string problem: ""
    property bool confirming: false

    property bool unlockOnly: false  // just start the technician session
    property bool lockedOut: false   // the problem is the keypad's lockout

    // While the technician session is unlocked the PIN is not asked again:
    // straight to the confirmation.
    function ask(title, consequence, action) {
        dialog.title = title
        dialog.consequence = consequence
        dialog.action = action
        dialog.pin = ""
        dialog.problem = ""
        dialog.unlockOnly = false
        dialog.lockedOut = false
        dialog.confirming = dialog.dashboard.session.unlocked
        open()
    }
    function unlock() {
        ask(qsTr("Unlock technician actions"), "", null)
        dialog.unlockOnly = true
        dialog.confirming = false
    }
    function submitPin() {
        if (dialog.dashboard.checkPin(dialog.pin)) {
            dialog.problem = ""
            dialog.pin = ""
            if (dialog.unlockOnly)
                close()
            else
                dialog.confirming = true
        } else {
            dialog.problem = dialog.dashboard.pinProblem()
            dialog.lockedOut = dialog.dashboard.session.lockoutS > 0
            dialog.pin = ""
        }
    }
    function confirm() {
        const run = dialog.action
        // Empty within the session: the session vouches for the technician.
        const pin = dialog.pin
        close()
        dialog.pin = ""
        if (run)
            run(pin)
    }

    modal: true
    focus: true
    closePolicy: Popup.CloseOnEscape
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 40 * unit : 560 * unit, 560 * unit)
    padding: 18 * unit
    background: Rectangle {
        radius: 12 * dialog.unit
        color: Theme.surface
        border.color: Theme.accent
        border.width: 2
    }

    contentItem: ColumnLayout {
        spacing: 12 * dialog.unit

        Text {
            textFormat: Text.PlainText
            objectName: "pinTitle"
            text: dialog.title
            color: Theme.text
            font.pixelSize: 22 * dialog.unit
            font.bold: true
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        // No PIN configured: locked, and how to unlock.
        Text {
            textFormat: Text.PlainText
            objectName: "lockedText"
            visible: !dialog.dashboard.pinConfigured
            text: qsTr("Technician actions are locked because no PIN is configured. Set technician-pin in the controller's configuration file (or CONTROL_NUC_TECHNICIAN_PIN) and restart the controller.")
            color: Theme.text
            font.pixelSize: 17 * dialog.unit
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        // Step 1: the PIN, with a keypad for the touchscreen.
        ColumnLayout {
            visible: dialog.dashboard.pinConfigured && !dialog.confirming
            spacing: 8 * dialog.unit
            Layout.fillWidth: true
            // Empty, the field asks for the PIN itself: at 800×480 the
            // dialog has no height to spare for a separate caption.
            Rectangle {
                Layout.fillWidth: true
                implicitHeight: 52 * dialog.unit
                radius: 8 * dialog.unit
                color: Theme.background
                Text {
                    textFormat: Text.PlainText
                    objectName: "pinDots"
                    anchors.centerIn: parent
                    text: dialog.pin.length ? "●".repeat(dialog.pin.length) : qsTr("Enter the technician PIN")
                    color: dialog.pin.length ? Theme.text : Theme.textDim
                    font.pixelSize: (dialog.pin.length ? 26 : 18) * dialog.unit
                }
            }
            Text {
                textFormat: Text.PlainText
                objectName: "pinProblem"
                visible: dialog.problem.length > 0
                // A lockout counts down every second (session.lockoutS ticks).
                text: !dialog.lockedOut ? dialog.problem
                      : dialog.dashboard.session.lockoutS > 0 ? dialog.dashboard.pinProblem()
                      : qsTr("You can enter the PIN again.")
                wrapMode: Text.Wrap
                Layout.fillWidth: true
                color: "#ffb3b5"
                font.pixelSize: 17 * dialog.unit
            }
            GridLayout {
                columns: 3
                Layout.fillWidth: true
                columnSpacing: 8 * dialog.unit
                rowSpacing: 8 * dialog.unit
                Repeater {
                    model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
                    delegate: ActionButton {
                        required property string modelData
                        objectName: "key_" + (modelData === "⌫" ? "back" : modelData)
                        unit: dialog.unit
                        Layout.fillWidth: true
                        implicitHeight: 52 * dialog.unit
                        text: modelData
                        tint: modelData === "OK" ? Theme.accent : Theme.surfaceHigh
                        enabled: modelData !== "OK" || dialog.pin.length > 0
                        onClicked: {
                            if (modelData === "OK")
                                dialog.submitPin()
                            else if (modelData === "⌫")
                                dialog.pin = dialog.pin.slice(0, -1)
                            else if (dialog.pin.length < 12)
                                dialog.pin += modelData
                        }
                    }
                }
            }
        }

        // Step 2: say what will happen, ask once more.
        Text {
            textFormat: Text.PlainText
            objectName: "confirmText"
            visible: dialog.confirming
            text: dialog.consequence
            color: Theme.text
            font.pixelSize: 18 * dialog.unit
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 10 * dialog.unit
            ActionButton {
                objectName: "cancelButton"
                unit: dialog.unit
                text: qsTr("Cancel")
                tint: Theme.surfaceHigh
                Layout.fillWidth: true
                onClicked: dialog.close()
            }
            ActionButton {
                objectName: "confirmButton"
                visible: dialog.confirming
                unit: dialog.unit
                text: qsTr("Confirm")
                tint: Theme.bad
                Layout.fillWidth: true
                onClicked: dialog.confirm()
            }
        }
    }
}
