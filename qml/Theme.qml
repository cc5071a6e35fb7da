pragma Singleton
import QtQuick

// Colours and sizes of the dashboard. Every status has a colour *and* a word
// and a symbol: colour is never the only signal.
QtObject {
    readonly property color background: "#12161c"
    readonly property color surface: "#1d232c"
    readonly property color surfaceHigh: "#283140"
    readonly property color text: "#f2f5f8"
    readonly property color textDim: "#a9b4c2"
    readonly property color accent: "#4aa3ff"
    readonly property color ok: "#2fb36d"
    readonly property color busy: "#e0a526"
    readonly property color idle: "#8a96a6"
    readonly property color bad: "#e5484d"

    function statusColor(status) {
        switch (status) {
        case "connected": case "completed": return ok
        case "connecting": case "reconnecting": case "in_progress": return busy
        case "error": case "failed": case "refused": return bad
        default: return idle
        }
    }
    function statusSymbol(status) {
        switch (status) {
        case "connected": case "completed": return "✔"
        case "connecting": case "reconnecting": case "in_progress": return "⟳"
        case "error": case "failed": case "refused": return "✖"
        default: return "●"
        }
    }
}
