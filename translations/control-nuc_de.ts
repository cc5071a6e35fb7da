<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ActivityView</name>
    <message>
        <source>Saving file</source>
        <translation>Datei speichern</translation>
    </message>
    <message>
        <source>Validating</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>Storing</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Reloading devices</source>
        <translation>Geräte neu laden</translation>
    </message>
    <message>
        <source>(unknown driver)</source>
        <translation>(unbekannter Treiber)</translation>
    </message>
    <message>
        <source>Step: %1</source>
        <translation>Schritt: %1</translation>
    </message>
    <message>
        <source>Sync %1 · %2</source>
        <translation>Synchronisierung %1 · %2</translation>
    </message>
    <message>
        <source>No driver syncs yet.</source>
        <translation>Noch keine Treiber-Synchronisierungen.</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>Lifting the quarantine…</source>
        <translation>Quarantäne wird aufgehoben …</translation>
    </message>
    <message>
        <source>Quarantine lifted: %1 starting again.</source>
        <translation>Quarantäne aufgehoben: %1 startet wieder.</translation>
    </message>
    <message>
        <source>Technician actions are locked: no PIN is configured.</source>
        <translation>Techniker-Aktionen sind gesperrt: keine PIN eingerichtet.</translation>
    </message>
    <message>
        <source>Another action is still running.</source>
        <translation>Eine andere Aktion läuft noch.</translation>
    </message>
    <message>
        <source>Reloading driver %1…</source>
        <translation>Treiber %1 wird neu geladen …</translation>
    </message>
    <message>
        <source>Reconnecting %1…</source>
        <translation>%1 wird neu verbunden …</translation>
    </message>
    <message>
        <source>Device %1 no longer exists.</source>
        <translation>Gerät %1 existiert nicht mehr.</translation>
    </message>
    <message>
        <source>Device %1: %2</source>
        <translation>Gerät %1: %2</translation>
    </message>
    <message>
        <source>Reloading all drivers…</source>
        <translation>Alle Treiber werden neu geladen …</translation>
    </message>
    <message>
        <source>Starting the drivers…</source>
        <translation>Treiber werden gestartet …</translation>
    </message>
    <message>
        <source>Safe mode ended: drivers are starting.</source>
        <translation>Abgesicherter Modus beendet: Treiber starten.</translation>
    </message>
    <message numerus="yes">
        <source>Too many wrong PINs. Try again in %n s.</source>
        <translation>
            <numerusform>Zu viele falsche PINs. Erneut versuchen in %n s.</numerusform>
            <numerusform>Zu viele falsche PINs. Erneut versuchen in %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>Wrong PIN. Try again.</source>
        <translation>Falsche PIN. Bitte erneut versuchen.</translation>
    </message>
    <message>
        <source>Driver %1 reloaded: %2.</source>
        <translation>Treiber %1 neu geladen: %2.</translation>
    </message>
    <message>
        <source>All drivers reloaded: %1.</source>
        <translation>Alle Treiber neu geladen: %1.</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n device(s) connected</source>
        <translation>
            <numerusform>%1 von %n Gerät verbunden</numerusform>
            <numerusform>%1 von %n Geräten verbunden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n in error</source>
        <translation>
            <numerusform>, %n mit Fehler</numerusform>
            <numerusform>, %n mit Fehler</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n still connecting</source>
        <translation>
            <numerusform>, %n verbindet noch</numerusform>
            <numerusform>, %n verbinden noch</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n disconnected</source>
        <translation>
            <numerusform>, %n getrennt</numerusform>
            <numerusform>, %n getrennt</numerusform>
        </translation>
    </message>
    <message>
        <source>Driver %1 rolled back to %2.</source>
        <translation>Treiber %1 auf %2 zurückgesetzt.</translation>
    </message>
    <message>
        <source>Rollback of %1 failed: %2</source>
        <translation>Zurücksetzen von %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Rolling back %1 to %2…</source>
        <translation>%1 wird auf %2 zurückgesetzt…</translation>
    </message>
    <message>
        <source>The technician session has ended: enter the PIN again.</source>
        <translation>Die Techniker-Sitzung ist abgelaufen: PIN bitte erneut eingeben.</translation>
    </message>
</context>
<context>
    <name>DeviceDetail</name>
    <message>
        <source>Unlock the technician session first.</source>
        <translation>Zuerst die Techniker-Sitzung entsperren.</translation>
    </message>
    <message>
        <source>Enter a command name.</source>
        <translation>Einen Befehlsnamen eingeben.</translation>
    </message>
    <message>
        <source>The parameters are not a JSON object: %1</source>
        <translation>Die Parameter sind kein JSON-Objekt: %1</translation>
    </message>
    <message>
        <source>not an object</source>
        <translation>kein Objekt</translation>
    </message>
</context>
<context>
    <name>DevicePage</name>
    <message numerus="yes">
        <source>%n s ago</source>
        <translation>
            <numerusform>vor %n s</numerusform>
            <numerusform>vor %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>vor %n min</numerusform>
            <numerusform>vor %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>vor %n h</numerusform>
            <numerusform>vor %n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>vor %n Tag</numerusform>
            <numerusform>vor %n Tagen</numerusform>
        </translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>Device %1 no longer exists</source>
        <translation>Gerät %1 gibt es nicht mehr</translation>
    </message>
    <message>
        <source>Reconnect</source>
        <translation>Neu verbinden</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Raum</translation>
    </message>
    <message>
        <source>Driver</source>
        <translation>Treiber</translation>
    </message>
    <message>
        <source>not installed</source>
        <translation>nicht installiert</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>connected since %1</source>
        <translation>verbunden seit %1</translation>
    </message>
    <message>
        <source>down since %1</source>
        <translation>ausgefallen seit %1</translation>
    </message>
    <message>
        <source>Live state</source>
        <translation>Aktueller Zustand</translation>
    </message>
    <message>
        <source>Last known state</source>
        <translation>Letzter bekannter Zustand</translation>
    </message>
    <message>
        <source>updated %1</source>
        <translation>aktualisiert %1</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>Driver calls</source>
        <translation>Treiberaufrufe</translation>
    </message>
    <message>
        <source>no figures yet</source>
        <translation>noch keine Zahlen</translation>
    </message>
    <message>
        <source>%1 calls, %2 errors, %3 timeouts · p50 %4 ms · p99 %5 ms</source>
        <translation>%1 Aufrufe, %2 Fehler, %3 Zeitüberschreitungen · p50 %4 ms · p99 %5 ms</translation>
    </message>
    <message>
        <source>Recent changes</source>
        <translation>Letzte Änderungen</translation>
    </message>
    <message>
        <source>No changes since the controller started.</source>
        <translation>Keine Änderungen seit dem Start des Controllers.</translation>
    </message>
    <message>
        <source>Test commands</source>
        <translation>Testbefehle</translation>
    </message>
    <message>
        <source>Locked: enter the technician PIN to send commands.</source>
        <translation>Gesperrt: Für Befehle die Techniker-PIN eingeben.</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Entsperren</translation>
    </message>
    <message>
        <source>The driver&apos;s command list was refused: %1</source>
        <translation>Die Befehlsliste des Treibers wurde abgelehnt: %1</translation>
    </message>
    <message>
        <source>The driver declares no commands; send one by name below.</source>
        <translation>Der Treiber nennt keine Befehle; unten einen Befehl mit Namen senden.</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>Befehl</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Parameters as JSON, e.g. {&quot;level&quot;: 5}</source>
        <translation>Parameter als JSON, z. B. {&quot;level&quot;: 5}</translation>
    </message>
    <message numerus="yes">
        <source>Waiting for %n answer(s)…</source>
        <translation>
            <numerusform>Warte auf %n Antwort…</numerusform>
            <numerusform>Warte auf %n Antworten…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
</context>
<context>
    <name>DeviceRow</name>
    <message>
        <source>last known: %1</source>
        <translation>zuletzt bekannt: %1</translation>
    </message>
</context>
<context>
    <name>DevicesView</name>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>No devices yet.</source>
        <translation>Noch keine Geräte.</translation>
    </message>
    <message>
        <source>No devices with this status.</source>
        <translation>Keine Geräte mit diesem Status.</translation>
    </message>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n Min.</numerusform>
            <numerusform>%n Min.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 Std. %2 Min.</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n Tag</numerusform>
            <numerusform>%n Tage</numerusform>
        </translation>
    </message>
    <message>
        <source>connected for %1</source>
        <translation>verbunden seit %1</translation>
    </message>
    <message>
        <source>down for %1</source>
        <translation>ausgefallen seit %1</translation>
    </message>
    <message>
        <source>Search name or id</source>
        <translation>Name oder ID suchen</translation>
    </message>
    <message>
        <source>Errors first</source>
        <translation>Fehler zuerst</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Räume</translation>
    </message>
    <message>
        <source>No room</source>
        <translation>Ohne Raum</translation>
    </message>
    <message>
        <source>No device matches “%1”.</source>
        <translation>Kein Gerät passt zu „%1“.</translation>
    </message>
</context>
<context>
    <name>DriverDetail</name>
    <message>
        <source>‹ Back</source>
        <translation>‹ Zurück</translation>
    </message>
    <message>
        <source>Reload driver</source>
        <translation>Treiber neu laden</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>Recent syncs</source>
        <translation>Letzte Synchronisierungen</translation>
    </message>
    <message>
        <source>Kept versions: %1</source>
        <translation>Aufbewahrte Versionen: %1</translation>
    </message>
    <message>
        <source>No earlier version kept</source>
        <translation>Keine frühere Version aufbewahrt</translation>
    </message>
    <message>
        <source>Roll back to %1</source>
        <translation>Zurück auf %1</translation>
    </message>
</context>
<context>
    <name>DriversView</name>
    <message>
        <source>Version %1 · %2 · synced %3</source>
        <translation>Version %1 · %2 · synchronisiert %3</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s)</source>
        <translation>
            <numerusform>%n Gerät</numerusform>
            <numerusform>%n Geräte</numerusform>
        </translation>
    </message>
    <message>
        <source>No drivers installed yet.</source>
        <translation>Noch keine Treiber installiert.</translation>
    </message>
</context>
<context>
    <name>EventLogView</name>
    <message>
        <source>All events</source>
        <translation>Alle Ereignisse</translation>
    </message>
    <message>
        <source>Driver syncs</source>
        <translation>Treiber-Syncs</translation>
    </message>
    <message>
        <source>Device %1</source>
        <translation>Gerät %1</translation>
    </message>
    <message>
        <source>No events yet.</source>
        <translation>Noch keine Ereignisse.</translation>
    </message>
</context>
<context>
    <name>EventText</name>
    <message>
        <source>connected</source>
        <translation>verbunden</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>getrennt</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1: %2 → %3</source>
        <translation>%1: %2 → %3</translation>
    </message>
    <message numerus="yes">
        <source>Driver %1 reloaded: %2 of %n device(s) connected</source>
        <translation>
            <numerusform>Treiber %1 neu geladen: %2 von %n Gerät verbunden</numerusform>
            <numerusform>Treiber %1 neu geladen: %2 von %n Geräten verbunden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n in error</source>
        <translation>
            <numerusform>, %n mit Fehler</numerusform>
            <numerusform>, %n mit Fehler</numerusform>
        </translation>
    </message>
    <message>
        <source>Cloud connected: %1</source>
        <translation>Cloud verbunden: %1</translation>
    </message>
    <message>
        <source>The cloud %1 refused our credentials (HTTP %2)</source>
        <translation>Die Cloud %1 hat unsere Zugangsdaten abgelehnt (HTTP %2)</translation>
    </message>
    <message>
        <source>Cloud connection lost: %1</source>
        <translation>Cloud-Verbindung verloren: %1</translation>
    </message>
    <message>
        <source>Driver %1 %2 synced</source>
        <translation>Treiber %1 %2 synchronisiert</translation>
    </message>
    <message>
        <source>Sync of driver %1 %2 failed</source>
        <translation>Synchronisierung von Treiber %1 %2 fehlgeschlagen</translation>
    </message>
    <message>
        <source>Technician: %1</source>
        <translation>Techniker: %1</translation>
    </message>
    <message>
        <source>Safe mode entered: drivers stopped</source>
        <translation>Abgesicherter Modus: Treiber angehalten</translation>
    </message>
    <message>
        <source>Safe mode left: drivers start again</source>
        <translation>Abgesicherter Modus beendet: Treiber starten wieder</translation>
    </message>
    <message>
        <source>Driver %1 quarantined: its host failed too often</source>
        <translation>Treiber %1 in Quarantäne: sein Host ist zu oft ausgefallen</translation>
    </message>
    <message>
        <source>Quarantine of driver %1 lifted</source>
        <translation>Quarantäne von Treiber %1 aufgehoben</translation>
    </message>
</context>
<context>
    <name>HeaderBar</name>
    <message>
        <source>Controller %1 · v%2</source>
        <translation>Controller %1 · v%2</translation>
    </message>
    <message>
        <source>Cloud</source>
        <translation>Cloud</translation>
    </message>
    <message numerus="yes">
        <source>next try in %n s</source>
        <translation>
            <numerusform>nächster Versuch in %n s</numerusform>
            <numerusform>nächster Versuch in %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 refused our credentials (HTTP %2): check the token</source>
        <translation>%1 hat unsere Zugangsdaten abgewiesen (HTTP %2): Token prüfen</translation>
    </message>
    <message>
        <source>no cloud configured</source>
        <translation>keine Cloud eingerichtet</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>QUARANTINED: %1. Its driver host failed too often; its devices stay stopped.</source>
        <translation>QUARANTÄNE: %1. Sein Treiber-Host ist zu oft ausgefallen; seine Geräte bleiben angehalten.</translation>
    </message>
    <message>
        <source>Lift quarantine</source>
        <translation>Quarantäne aufheben</translation>
    </message>
    <message>
        <source>These devices start again: %1. If the driver keeps crashing its host, it is quarantined again. Continue?</source>
        <translation>Diese Geräte starten wieder: %1. Lässt der Treiber seinen Host weiter abstürzen, kommt er wieder in Quarantäne. Fortfahren?</translation>
    </message>
    <message>
        <source>Control NUC · %1</source>
        <translation>Control NUC · %1</translation>
    </message>
    <message>
        <source>Reload driver %1</source>
        <translation>Treiber %1 neu laden</translation>
    </message>
    <message>
        <source>All devices that use %1 will be disconnected and recreated from the stored driver. Continue?</source>
        <translation>Alle Geräte mit %1 werden getrennt und aus dem gespeicherten Treiber neu erstellt. Fortfahren?</translation>
    </message>
    <message>
        <source>Reconnect %1</source>
        <translation>%1 neu verbinden</translation>
    </message>
    <message>
        <source>The device %1 will be disconnected and connected again. Continue?</source>
        <translation>Das Gerät %1 wird getrennt und erneut verbunden. Fortfahren?</translation>
    </message>
    <message>
        <source>Reload all drivers</source>
        <translation>Alle Treiber neu laden</translation>
    </message>
    <message numerus="yes">
        <source>Every device (%n in total) will be disconnected and recreated. Continue?</source>
        <translation>
            <numerusform>Das Gerät (%n insgesamt) wird getrennt und neu erstellt. Fortfahren?</numerusform>
            <numerusform>Alle Geräte (%n insgesamt) werden getrennt und neu erstellt. Fortfahren?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n device(s) in error</source>
        <translation>
            <numerusform>%n Gerät mit Fehler</numerusform>
            <numerusform>%n Geräte mit Fehler</numerusform>
        </translation>
    </message>
    <message>
        <source>Devices (%1)</source>
        <translation>Geräte (%1)</translation>
    </message>
    <message>
        <source>Drivers (%1)</source>
        <translation>Treiber (%1)</translation>
    </message>
    <message numerus="yes">
        <source>SAFE MODE: drivers are stopped after %n crash(es) in a short time.</source>
        <translation>
            <numerusform>ABGESICHERTER MODUS: Treiber angehalten nach %n Absturz in kurzer Zeit.</numerusform>
            <numerusform>ABGESICHERTER MODUS: Treiber angehalten nach %n Abstürzen in kurzer Zeit.</numerusform>
        </translation>
    </message>
    <message>
        <source>Last changed driver: %1.</source>
        <translation>Zuletzt geänderter Treiber: %1.</translation>
    </message>
    <message>
        <source>Re-enable drivers</source>
        <translation>Treiber wieder starten</translation>
    </message>
    <message>
        <source>All drivers start again. If a driver keeps crashing the controller, update or remove it first. Continue?</source>
        <translation>Alle Treiber starten wieder. Wenn ein Treiber den Controller wiederholt abstürzen lässt, aktualisieren oder entfernen Sie ihn zuerst. Fortfahren?</translation>
    </message>
    <message>
        <source>Reload all</source>
        <translation>Alle neu laden</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>Nicht verbunden: %1</translation>
    </message>
    <message>
        <source>Roll back %1 to %2</source>
        <translation>%1 auf %2 zurücksetzen</translation>
    </message>
    <message>
        <source>%1 goes back to version %2. These devices restart on it: %3.</source>
        <translation>%1 geht auf Version %2 zurück. Diese Geräte starten damit neu: %3.</translation>
    </message>
    <message>
        <source>%1 goes back to version %2. No device uses it.</source>
        <translation>%1 geht auf Version %2 zurück. Kein Gerät verwendet ihn.</translation>
    </message>
    <message>
        <source>Continue?</source>
        <translation>Fortfahren?</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Technician actions are locked because no PIN is configured. Set technician-pin in the controller&apos;s configuration file (or CONTROL_NUC_TECHNICIAN_PIN) and restart the controller.</source>
        <translation>Techniker-Aktionen sind gesperrt, weil keine PIN eingerichtet ist. Setzen Sie technician-pin in der Konfigurationsdatei des Controllers (oder CONTROL_NUC_TECHNICIAN_PIN) und starten Sie den Controller neu.</translation>
    </message>
    <message>
        <source>Enter the technician PIN</source>
        <translation>Techniker-PIN eingeben</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Bestätigen</translation>
    </message>
    <message>
        <source>Unlock technician actions</source>
        <translation>Techniker-Aktionen entsperren</translation>
    </message>
    <message>
        <source>You can enter the PIN again.</source>
        <translation>Die PIN kann wieder eingegeben werden.</translation>
    </message>
</context>
<context>
    <name>SessionBar</name>
    <message>
        <source>Technician unlocked: %1</source>
        <translation>Techniker entsperrt: %1</translation>
    </message>
    <message>
        <source>Lock now</source>
        <translation>Jetzt sperren</translation>
    </message>
</context>
<context>
    <name>StatusBadge</name>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>Verbindet</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation>Verbindet erneut</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Abgewiesen</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
</context>
<context>
    <name>SystemView</name>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n Tag</numerusform>
            <numerusform>%n Tage</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>no cloud configured</source>
        <translation>keine Cloud eingerichtet</translation>
    </message>
    <message>
        <source>%1 refused our credentials (HTTP %2): check the token</source>
        <translation>%1 hat unsere Zugangsdaten abgelehnt (HTTP %2): Token prüfen</translation>
    </message>
    <message>
        <source>Controller</source>
        <translation>Controller</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Kennung</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>App version</source>
        <translation>App-Version</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>app %1 · system %2</source>
        <translation>App %1 · System %2</translation>
    </message>
    <message>
        <source>Disk</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>%1 free of %2 under %3</source>
        <translation>%1 frei von %2 unter %3</translation>
    </message>
    <message>
        <source>Cloud</source>
        <translation>Cloud</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <source>down</source>
        <translation>inaktiv</translation>
    </message>
    <message>
        <source>no address</source>
        <translation>keine Adresse</translation>
    </message>
    <message>
        <source>Driver hosts</source>
        <translation>Treiber-Hosts</translation>
    </message>
    <message>
        <source>No driver host running.</source>
        <translation>Kein Treiber-Host läuft.</translation>
    </message>
    <message>
        <source>%1 memory · pid %2</source>
        <translation>%1 Speicher · PID %2</translation>
    </message>
    <message>
        <source>not running</source>
        <translation>läuft nicht</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s)</source>
        <translation>
            <numerusform>%n Gerät</numerusform>
            <numerusform>%n Geräte</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n restart(s)</source>
        <translation>
            <numerusform>%n Neustart</numerusform>
            <numerusform>%n Neustarts</numerusform>
        </translation>
    </message>
</context>
</TS>
