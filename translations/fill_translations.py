#!/usr/bin/env python3
"""Fills control-nuc_de.ts and control-nuc_en.ts from the tables below.

Run after `cmake --build build --target update_translations` has added new
source texts; it fails (exit 1) naming any source text without a German
translation, so a string cannot slip through untranslated.
"""
import html
import re
import sys
from pathlib import Path

GERMAN = {
    "%n device(s)": ("%n Gerät", "%n Geräte"),
    "%n device(s) in error": ("%n Gerät mit Fehler", "%n Geräte mit Fehler"),
    "%n h ago": ("vor %n Std.", "vor %n Std."),
    "%n min ago": ("vor %n Min.", "vor %n Min."),
    "%n s ago": ("vor %n s", "vor %n s"),
    "(unknown driver)": "(unbekannter Treiber)",
    "Active": "Aktiv",
    "All": "Alle",
    "All devices that use %1 will be disconnected and recreated from the stored driver. Continue?":
        "Alle Geräte mit %1 werden getrennt und aus dem gespeicherten Treiber neu erstellt. Fortfahren?",
    "All drivers reloaded: %n device(s) recreated.": ("Alle Treiber neu geladen: %n Gerät neu erstellt.",
                                                      "Alle Treiber neu geladen: %n Geräte neu erstellt."),
    "Another action is still running.": "Eine andere Aktion läuft noch.",
    "Cancel": "Abbrechen",
    "Cloud": "Cloud",
    "Completed": "Abgeschlossen",
    "Confirm": "Bestätigen",
    "Connected": "Verbunden",
    "Connecting": "Verbindet",
    "Control NUC · %1": "Control NUC · %1",
    "Controller %1 · v%2": "Controller %1 · v%2",
    "Device %1 no longer exists.": "Gerät %1 existiert nicht mehr.",
    "Device %1: %2": "Gerät %1: %2",
    "Devices": "Geräte",
    "Devices (%1)": "Geräte (%1)",
    "Disconnected": "Getrennt",
    "Driver %1 reloaded: %n device(s) recreated.": ("Treiber %1 neu geladen: %n Gerät neu erstellt.",
                                                    "Treiber %1 neu geladen: %n Geräte neu erstellt."),
    "Drivers (%1)": "Treiber (%1)",
    "Enter the technician PIN": "Techniker-PIN eingeben",
    "Error": "Fehler",
    "Every device (%n in total) will be disconnected and recreated. Continue?": (
        "Das Gerät (%n insgesamt) wird getrennt und neu erstellt. Fortfahren?",
        "Alle Geräte (%n insgesamt) werden getrennt und neu erstellt. Fortfahren?"),
    "Failed": "Fehlgeschlagen",
    "In progress": "Läuft",
    "No devices with this status.": "Keine Geräte mit diesem Status.",
    "No devices yet.": "Noch keine Geräte.",
    "No driver syncs yet.": "Noch keine Treiber-Synchronisierungen.",
    "No drivers installed yet.": "Noch keine Treiber installiert.",
    "Offline": "Offline",
    "Recent syncs": "Letzte Synchronisierungen",
    "Reconnect": "Neu verbinden",
    "Reconnect %1": "%1 neu verbinden",
    "Reconnecting": "Verbindet erneut",
    "Reconnecting %1…": "%1 wird neu verbunden …",
    "Reload all": "Alle neu laden",
    "Reload all drivers": "Alle Treiber neu laden",
    "Reload driver": "Treiber neu laden",
    "Reload driver %1": "Treiber %1 neu laden",
    "Reloading all drivers…": "Alle Treiber werden neu geladen …",
    "Reloading devices": "Geräte neu laden",
    "Reloading driver %1…": "Treiber %1 wird neu geladen …",
    "Saving file": "Datei speichern",
    "Step: %1": "Schritt: %1",
    "Storing": "Speichern",
    "Sync %1 · %2": "Synchronisierung %1 · %2",
    "Sync activity": "Synchronisierungen",
    "Technician actions are locked because no PIN is configured. Set technician-pin in the controller's configuration file (or CONTROL_NUC_TECHNICIAN_PIN) and restart the controller.":
        "Techniker-Aktionen sind gesperrt, weil keine PIN eingerichtet ist. Setzen Sie technician-pin in der Konfigurationsdatei des Controllers (oder CONTROL_NUC_TECHNICIAN_PIN) und starten Sie den Controller neu.",
    "Technician actions are locked: no PIN is configured.": "Techniker-Aktionen sind gesperrt: keine PIN eingerichtet.",
    "The device %1 will be disconnected and connected again. Continue?":
        "Das Gerät %1 wird getrennt und erneut verbunden. Fortfahren?",
    "Validating": "Prüfen",
    "Version %1 · %2 · synced %3": "Version %1 · %2 · synchronisiert %3",
    "Wrong PIN.": "Falsche PIN.",
    "Wrong PIN. Try again.": "Falsche PIN. Bitte erneut versuchen.",
    "next try in %n s": ("nächster Versuch in %n s", "nächster Versuch in %n s"),
    "no cloud configured": "keine Cloud eingerichtet",
    "‹ Back": "‹ Zurück",
    "Starting the drivers…": "Treiber werden gestartet …",
    "Safe mode ended: drivers are starting.": "Abgesicherter Modus beendet: Treiber starten.",
    "SAFE MODE: drivers are stopped after %n crash(es) in a short time.": (
        "ABGESICHERTER MODUS: Treiber angehalten nach %n Absturz in kurzer Zeit.",
        "ABGESICHERTER MODUS: Treiber angehalten nach %n Abstürzen in kurzer Zeit."),
    "Last changed driver: %1.": "Zuletzt geänderter Treiber: %1.",
    "Re-enable drivers": "Treiber wieder starten",
    "Too many wrong PINs. Try again in %n s.": ("Zu viele falsche PINs. Erneut versuchen in %n s.",
                                                "Zu viele falsche PINs. Erneut versuchen in %n s."),
    "All drivers start again. If a driver keeps crashing the controller, update or remove it first. Continue?":
        "Alle Treiber starten wieder. Wenn ein Treiber den Controller wiederholt abstürzen lässt, aktualisieren oder entfernen Sie ihn zuerst. Fortfahren?",
}

ENGLISH_PLURALS = {
    "%n device(s)": ("%n device", "%n devices"),
    "%n device(s) in error": ("%n device in error", "%n devices in error"),
    "%n h ago": ("%n h ago", "%n h ago"),
    "%n min ago": ("%n min ago", "%n min ago"),
    "%n s ago": ("%n s ago", "%n s ago"),
    "All drivers reloaded: %n device(s) recreated.": ("All drivers reloaded: %n device recreated.",
                                                      "All drivers reloaded: %n devices recreated."),
    "Driver %1 reloaded: %n device(s) recreated.": ("Driver %1 reloaded: %n device recreated.",
                                                    "Driver %1 reloaded: %n devices recreated."),
    "Every device (%n in total) will be disconnected and recreated. Continue?": (
        "The device (%n in total) will be disconnected and recreated. Continue?",
        "Every device (%n in total) will be disconnected and recreated. Continue?"),
    "next try in %n s": ("next try in %n s", "next try in %n s"),
    "Too many wrong PINs. Try again in %n s.": ("Too many wrong PINs. Try again in %n s.",
                                                "Too many wrong PINs. Try again in %n s."),
    "SAFE MODE: drivers are stopped after %n crash(es) in a short time.": (
        "SAFE MODE: drivers are stopped after %n crash in a short time.",
        "SAFE MODE: drivers are stopped after %n crashes in a short time."),
}

MESSAGE = re.compile(r'(<message( numerus="yes")?>\s*<source>(.*?)</source>.*?)<translation[^>]*>.*?</translation>',
                     re.S)


def fill(path, table, plurals_only):
    text = path.read_text(encoding="utf-8")
    missing = []

    def replace(match):
        head, numerus, source = match.group(1), match.group(2), html.unescape(match.group(3))
        if plurals_only:
            value = table.get(source, source) if numerus else source
        else:
            value = table.get(source)
        if value is None:
            missing.append(source)
            return match.group(0)
        if numerus:
            forms = value if isinstance(value, tuple) else (value, value)
            inner = "".join(f"<numerusform>{html.escape(f, quote=False)}</numerusform>" for f in forms)
            return f"{head}<translation>{inner}</translation>"
        if isinstance(value, tuple):
            value = value[1]
        return f"{head}<translation>{html.escape(value, quote=False)}</translation>"

    text = MESSAGE.sub(replace, text)
    path.write_text(text, encoding="utf-8")
    return missing


here = Path(__file__).resolve().parent
missing = fill(here / "control-nuc_de.ts", GERMAN, False)
fill(here / "control-nuc_en.ts", ENGLISH_PLURALS, True)
if missing:
    print("no German translation for:", *missing, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print("translations complete")
