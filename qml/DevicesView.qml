import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import ControlNuc

// Every device, compact enough for 60 and more: search by name or id,
// filter by status, group by room, errors first; a wide scroll bar that is
// always there. Filtering and sorting run in C++ (FilterProxyModel). Tap a
// row for the device's page. A ListView with reused delegates: fine with
// 500 rows.
Item {
    id: view
    required property Dashboard dashboard
    property real unit: 1
    property date now: new Date()
    property string typeFilter: ""
    property bool showFilters: true
    property alias statusFilter: byStatus.filterValue
    // Rows and the toolbar grow less than the rest: more rows on big panels.
    readonly property real dense: Math.min(unit, 1.1)
    readonly property real scrollBarWidth: 28 * dense
    signal deviceChosen(string deviceId)

    // "3 h 12 min", "5 min", "40 s": how long since `t`.
    function duration(t) {
        if (!t || isNaN(t.getTime()))
            return ""
        const s = Math.max(0, Math.floor((now.getTime() - t.getTime()) / 1000))
        if (s < 60) return qsTr("%n s", "", s)
        const min = Math.floor(s / 60) % 60
        const h = Math.floor(s / 3600)
        if (h === 0) return qsTr("%n min", "", min)
        if (h < 48) return qsTr("%1 h %2 min").arg(h).arg(min)
        return qsTr("%n day(s)", "", Math.floor(h / 24))
    }
    function sinceText(status, since) {
        const d = duration(since)
        if (d === "")
            return ""
        return status === "connected" ? qsTr("connected for %1").arg(d) : qsTr("down for %1").arg(d)
    }
    function stateText(state) {
        const keys = Object.keys(state || {})
        return keys.map(k => k + ": " + state[k]).join("  ·  ")
    }
    function statusWord(status) {
        return badgeWords.label(status)
    }

    FilterProxyModel {
        id: byType
        sourceModel: view.dashboard.devices
        filterRoleName: "type"
        filterValue: view.typeFilter
    }
    FilterProxyModel {
        id: byStatus
        objectName: "deviceFilter"
        sourceModel: byType
        filterRoleName: "status"
        filterValue: ""
        searchText: search.text
        groupByRoom: groupButton.checked
        sortByStatus: sortButton.checked
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4 * view.dense

        // One toolbar row, a touch target high (44 px at 800×480) and no more.
        RowLayout {
            Layout.fillWidth: true
            spacing: 6 * view.dense
            InputField {
                id: search
                objectName: "deviceSearch"
                Layout.fillWidth: true
                Layout.minimumWidth: 140 * view.dense
                unit: view.dense
                implicitHeight: 44 * view.dense
                hint: qsTr("Search name or id")
            }
            // Status filters: on small panels a single button cycles them.
            Repeater {
                model: view.showFilters ? ["", "error", "connecting", "disconnected", "connected"] : []
                delegate: ActionButton {
                    required property string modelData
                    objectName: "filter_" + (modelData || "all")
                    unit: view.dense
                    touchHeight: 44
                    leftPadding: 10 * view.dense
                    rightPadding: 10 * view.dense
                    font.pixelSize: 16 * view.dense
                    text: modelData === "" ? qsTr("All")
                        : view.width < 1100 * view.dense ? Theme.statusSymbol(modelData)
                        : badgeWords.label(modelData)
                    Accessible.name: modelData === "" ? qsTr("All") : badgeWords.label(modelData)
                    tint: byStatus.filterValue === modelData ? Theme.accent
                        : modelData === "" ? Theme.surfaceHigh : Qt.darker(Theme.statusColor(modelData), 1.6)
                    onClicked: byStatus.filterValue = modelData
                }
            }
            ActionButton {
                id: sortButton
                objectName: "sortByStatusButton"
                checkable: true
                unit: view.dense
                touchHeight: 44
                leftPadding: 10 * view.dense
                rightPadding: 10 * view.dense
                font.pixelSize: 16 * view.dense
                text: qsTr("Errors first")
                tint: checked ? Theme.accent : Theme.surfaceHigh
            }
            ActionButton {
                id: groupButton
                objectName: "groupByRoomButton"
                checkable: true
                unit: view.dense
                touchHeight: 44
                leftPadding: 10 * view.dense
                rightPadding: 10 * view.dense
                font.pixelSize: 16 * view.dense
                text: qsTr("Rooms")
                tint: checked ? Theme.accent : Theme.surfaceHigh
            }
        }

        ListView {
            id: list
            objectName: "deviceList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2 * view.dense
            model: byStatus
            reuseItems: true
            boundsBehavior: Flickable.StopAtBounds
            // Wide, always shown: a thumb a finger can drag.
            ScrollBar.vertical: ScrollBar {
                objectName: "deviceScrollBar"
                width: view.scrollBarWidth
                policy: list.contentHeight > list.height ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded
                minimumSize: 0.08
                contentItem: Rectangle {
                    implicitWidth: view.scrollBarWidth
                    radius: 6 * view.dense
                    color: parent.pressed ? Theme.accent : Theme.idle
                }
                background: Rectangle {
                    radius: 6 * view.dense
                    color: Theme.surface
                }
            }

            section.property: byStatus.groupByRoom ? "room" : ""
            section.criteria: ViewSection.FullString
            section.delegate: Text {
                required property string section
                textFormat: Text.PlainText
                width: ListView.view ? ListView.view.width - view.scrollBarWidth : 0
                height: 30 * view.dense
                verticalAlignment: Text.AlignBottom
                text: section.length > 0 ? section : qsTr("No room")
                color: Theme.accent
                font.pixelSize: 17 * view.dense
                font.bold: true
                elide: Text.ElideRight
            }

            delegate: DeviceRow {
                owner: view
                onChosen: (deviceId) => view.deviceChosen(deviceId)
            }

            Text {
                textFormat: Text.PlainText
                anchors.centerIn: parent
                visible: list.count === 0
                text: search.text.length > 0 ? qsTr("No device matches “%1”.").arg(search.text)
                    : byStatus.filterValue === "" ? qsTr("No devices yet.") : qsTr("No devices with this status.")
                color: Theme.textDim
                font.pixelSize: 20 * view.unit
            }
        }
    }

    StatusBadge {
        id: badgeWords
        visible: false
        status: ""
    }
}
