<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ActivityView</name>
    <message>
        <source>Saving file</source>
        <translation>Saving file</translation>
    </message>
    <message>
        <source>Validating</source>
        <translation>Validating</translation>
    </message>
    <message>
        <source>Storing</source>
        <translation>Storing</translation>
    </message>
    <message>
        <source>Reloading devices</source>
        <translation>Reloading devices</translation>
    </message>
    <message>
        <source>(unknown driver)</source>
        <translation>(unknown driver)</translation>
    </message>
    <message>
        <source>Step: %1</source>
        <translation>Step: %1</translation>
    </message>
    <message>
        <source>Sync %1 · %2</source>
        <translation>Sync %1 · %2</translation>
    </message>
    <message>
        <source>No driver syncs yet.</source>
        <translation>No driver syncs yet.</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>Lifting the quarantine…</source>
        <translation>Lifting the quarantine…</translation>
    </message>
    <message>
        <source>Quarantine lifted: %1 starting again.</source>
        <translation>Quarantine lifted: %1 starting again.</translation>
    </message>
    <message>
        <source>Technician actions are locked: no PIN is configured.</source>
        <translation>Technician actions are locked: no PIN is configured.</translation>
    </message>
    <message>
        <source>Another action is still running.</source>
        <translation>Another action is still running.</translation>
    </message>
    <message>
        <source>Reloading driver %1…</source>
        <translation>Reloading driver %1…</translation>
    </message>
    <message>
        <source>Reconnecting %1…</source>
        <translation>Reconnecting %1…</translation>
    </message>
    <message>
        <source>Device %1 no longer exists.</source>
        <translation>Device %1 no longer exists.</translation>
    </message>
    <message>
        <source>Device %1: %2</source>
        <translation>Device %1: %2</translation>
    </message>
    <message>
        <source>Reloading all drivers…</source>
        <translation>Reloading all drivers…</translation>
    </message>
    <message>
        <source>Starting the drivers…</source>
        <translation>Starting the drivers…</translation>
    </message>
    <message>
        <source>Safe mode ended: drivers are starting.</source>
        <translation>Safe mode ended: drivers are starting.</translation>
    </message>
    <message numerus="yes">
        <source>Too many wrong PINs. Try again in %n s.</source>
        <translation>
            <numerusform>Too many wrong PINs. Try again in %n s.</numerusform>
            <numerusform>Too many wrong PINs. Try again in %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>Wrong PIN. Try again.</source>
        <translation>Wrong PIN. Try again.</translation>
    </message>
    <message>
        <source>Driver %1 reloaded: %2.</source>
        <translation>Driver %1 reloaded: %2.</translation>
    </message>
    <message>
        <source>All drivers reloaded: %1.</source>
        <translation>All drivers reloaded: %1.</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n device(s) connected</source>
        <translation>
            <numerusform>%1 of %n device connected</numerusform>
            <numerusform>%1 of %n devices connected</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n in error</source>
        <translation>
            <numerusform>, %n in error</numerusform>
            <numerusform>, %n in error</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n still connecting</source>
        <translation>
            <numerusform>, %n still connecting</numerusform>
            <numerusform>, %n still connecting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n disconnected</source>
        <translation>
            <numerusform>, %n disconnected</numerusform>
            <numerusform>, %n disconnected</numerusform>
        </translation>
    </message>
    <message>
        <source>Driver %1 rolled back to %2.</source>
        <translation>Driver %1 rolled back to %2.</translation>
    </message>
    <message>
        <source>Rollback of %1 failed: %2</source>
        <translation>Rollback of %1 failed: %2</translation>
    </message>
    <message>
        <source>Rolling back %1 to %2…</source>
        <translation>Rolling back %1 to %2…</translation>
    </message>
    <message>
        <source>The technician session has ended: enter the PIN again.</source>
        <translation>The technician session has ended: enter the PIN again.</translation>
    </message>
</context>
<context>
    <name>DeviceDetail</name>
    <message>
        <source>Unlock the technician session first.</source>
        <translation>Unlock the technician session first.</translation>
    </message>
    <message>
        <source>Enter a command name.</source>
        <translation>Enter a command name.</translation>
    </message>
    <message>
        <source>The parameters are not a JSON object: %1</source>
        <translation>The parameters are not a JSON object: %1</translation>
    </message>
    <message>
        <source>not an object</source>
        <translation>not an object</translation>
    </message>
</context>
<context>
    <name>DevicePage</name>
    <message numerus="yes">
        <source>%n s ago</source>
        <translation>
            <numerusform>%n s ago</numerusform>
            <numerusform>%n s ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>%n min ago</numerusform>
            <numerusform>%n min ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>%n h ago</numerusform>
            <numerusform>%n h ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>%n day ago</numerusform>
            <numerusform>%n days ago</numerusform>
        </translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Devices</translation>
    </message>
    <message>
        <source>Device %1 no longer exists</source>
        <translation>Device %1 no longer exists</translation>
    </message>
    <message>
        <source>Reconnect</source>
        <translation>Reconnect</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Room</translation>
    </message>
    <message>
        <source>Driver</source>
        <translation>Driver</translation>
    </message>
    <message>
        <source>not installed</source>
        <translation>not installed</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>connected since %1</source>
        <translation>connected since %1</translation>
    </message>
    <message>
        <source>down since %1</source>
        <translation>down since %1</translation>
    </message>
    <message>
        <source>Live state</source>
        <translation>Live state</translation>
    </message>
    <message>
        <source>Last known state</source>
        <translation>Last known state</translation>
    </message>
    <message>
        <source>updated %1</source>
        <translation>updated %1</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Last error</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>Driver calls</source>
        <translation>Driver calls</translation>
    </message>
    <message>
        <source>no figures yet</source>
        <translation>no figures yet</translation>
    </message>
    <message>
        <source>%1 calls, %2 errors, %3 timeouts · p50 %4 ms · p99 %5 ms</source>
        <translation>%1 calls, %2 errors, %3 timeouts · p50 %4 ms · p99 %5 ms</translation>
    </message>
    <message>
        <source>Recent changes</source>
        <translation>Recent changes</translation>
    </message>
    <message>
        <source>No changes since the controller started.</source>
        <translation>No changes since the controller started.</translation>
    </message>
    <message>
        <source>Test commands</source>
        <translation>Test commands</translation>
    </message>
    <message>
        <source>Locked: enter the technician PIN to send commands.</source>
        <translation>Locked: enter the technician PIN to send commands.</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>The driver&apos;s command list was refused: %1</source>
        <translation>The driver&apos;s command list was refused: %1</translation>
    </message>
    <message>
        <source>The driver declares no commands; send one by name below.</source>
        <translation>The driver declares no commands; send one by name below.</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>Command</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Parameters as JSON, e.g. {&quot;level&quot;: 5}</source>
        <translation>Parameters as JSON, e.g. {&quot;level&quot;: 5}</translation>
    </message>
    <message numerus="yes">
        <source>Waiting for %n answer(s)…</source>
        <translation>
            <numerusform>Waiting for %n answer…</numerusform>
            <numerusform>Waiting for %n answers…</numerusform>
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
        <translation>last known: %1</translation>
    </message>
</context>
<context>
    <name>DevicesView</name>
    <message>
        <source>All</source>
        <translation>All</translation>
    </message>
    <message>
        <source>No devices yet.</source>
        <translation>No devices yet.</translation>
    </message>
    <message>
        <source>No devices with this status.</source>
        <translation>No devices with this status.</translation>
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
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
    <message>
        <source>connected for %1</source>
        <translation>connected for %1</translation>
    </message>
    <message>
        <source>down for %1</source>
        <translation>down for %1</translation>
    </message>
    <message>
        <source>Search name or id</source>
        <translation>Search name or id</translation>
    </message>
    <message>
        <source>Errors first</source>
        <translation>Errors first</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Rooms</translation>
    </message>
    <message>
        <source>No room</source>
        <translation>No room</translation>
    </message>
    <message>
        <source>No device matches “%1”.</source>
        <translation>No device matches “%1”.</translation>
    </message>
</context>
<context>
    <name>DriverDetail</name>
    <message>
        <source>‹ Back</source>
        <translation>‹ Back</translation>
    </message>
    <message>
        <source>Reload driver</source>
        <translation>Reload driver</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Devices</translation>
    </message>
    <message>
        <source>Recent syncs</source>
        <translation>Recent syncs</translation>
    </message>
    <message>
        <source>Kept versions: %1</source>
        <translation>Kept versions: %1</translation>
    </message>
    <message>
        <source>No earlier version kept</source>
        <translation>No earlier version kept</translation>
    </message>
    <message>
        <source>Roll back to %1</source>
        <translation>Roll back to %1</translation>
    </message>
</context>
<context>
    <name>DriversView</name>
    <message>
        <source>Version %1 · %2 · synced %3</source>
        <translation>Version %1 · %2 · synced %3</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s)</source>
        <translation>
            <numerusform>%n device</numerusform>
            <numerusform>%n devices</numerusform>
        </translation>
    </message>
    <message>
        <source>No drivers installed yet.</source>
        <translation>No drivers installed yet.</translation>
    </message>
</context>
<context>
    <name>EventLogView</name>
    <message>
        <source>All events</source>
        <translation>All events</translation>
    </message>
    <message>
        <source>Driver syncs</source>
        <translation>Driver syncs</translation>
    </message>
    <message>
        <source>Device %1</source>
        <translation>Device %1</translation>
    </message>
    <message>
        <source>No events yet.</source>
        <translation>No events yet.</translation>
    </message>
</context>
<context>
    <name>EventText</name>
    <message>
        <source>connected</source>
        <translation>connected</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>connecting</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>disconnected</translation>
    </message>
    <message>
        <source>error</source>
        <translation>error</translation>
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
            <numerusform>Driver %1 reloaded: %2 of %n device connected</numerusform>
            <numerusform>Driver %1 reloaded: %2 of %n devices connected</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n in error</source>
        <translation>
            <numerusform>, %n in error</numerusform>
            <numerusform>, %n in error</numerusform>
        </translation>
    </message>
    <message>
        <source>Cloud connected: %1</source>
        <translation>Cloud connected: %1</translation>
    </message>
    <message>
        <source>The cloud %1 refused our credentials (HTTP %2)</source>
        <translation>The cloud %1 refused our credentials (HTTP %2)</translation>
    </message>
    <message>
        <source>Cloud connection lost: %1</source>
        <translation>Cloud connection lost: %1</translation>
    </message>
    <message>
        <source>Driver %1 %2 synced</source>
        <translation>Driver %1 %2 synced</translation>
    </message>
    <message>
        <source>Sync of driver %1 %2 failed</source>
        <translation>Sync of driver %1 %2 failed</translation>
    </message>
    <message>
        <source>Technician: %1</source>
        <translation>Technician: %1</translation>
    </message>
    <message>
        <source>Safe mode entered: drivers stopped</source>
        <translation>Safe mode entered: drivers stopped</translation>
    </message>
    <message>
        <source>Safe mode left: drivers start again</source>
        <translation>Safe mode left: drivers start again</translation>
    </message>
    <message>
        <source>Driver %1 quarantined: its host failed too often</source>
        <translation>Driver %1 quarantined: its host failed too often</translation>
    </message>
    <message>
        <source>Quarantine of driver %1 lifted</source>
        <translation>Quarantine of driver %1 lifted</translation>
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
            <numerusform>next try in %n s</numerusform>
            <numerusform>next try in %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 refused our credentials (HTTP %2): check the token</source>
        <translation>%1 refused our credentials (HTTP %2): check the token</translation>
    </message>
    <message>
        <source>no cloud configured</source>
        <translation>no cloud configured</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>QUARANTINED: %1. Its driver host failed too often; its devices stay stopped.</source>
        <translation>QUARANTINED: %1. Its driver host failed too often; its devices stay stopped.</translation>
    </message>
    <message>
        <source>Lift quarantine</source>
        <translation>Lift quarantine</translation>
    </message>
    <message>
        <source>These devices start again: %1. If the driver keeps crashing its host, it is quarantined again. Continue?</source>
        <translation>These devices start again: %1. If the driver keeps crashing its host, it is quarantined again. Continue?</translation>
    </message>
    <message>
        <source>Control NUC · %1</source>
        <translation>Control NUC · %1</translation>
    </message>
    <message>
        <source>Reload driver %1</source>
        <translation>Reload driver %1</translation>
    </message>
    <message>
        <source>All devices that use %1 will be disconnected and recreated from the stored driver. Continue?</source>
        <translation>All devices that use %1 will be disconnected and recreated from the stored driver. Continue?</translation>
    </message>
    <message>
        <source>Reconnect %1</source>
        <translation>Reconnect %1</translation>
    </message>
    <message>
        <source>The device %1 will be disconnected and connected again. Continue?</source>
        <translation>The device %1 will be disconnected and connected again. Continue?</translation>
    </message>
    <message>
        <source>Reload all drivers</source>
        <translation>Reload all drivers</translation>
    </message>
    <message numerus="yes">
        <source>Every device (%n in total) will be disconnected and recreated. Continue?</source>
        <translation>
            <numerusform>The device (%n in total) will be disconnected and recreated. Continue?</numerusform>
            <numerusform>Every device (%n in total) will be disconnected and recreated. Continue?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n device(s) in error</source>
        <translation>
            <numerusform>%n device in error</numerusform>
            <numerusform>%n devices in error</numerusform>
        </translation>
    </message>
    <message>
        <source>Devices (%1)</source>
        <translation>Devices (%1)</translation>
    </message>
    <message>
        <source>Drivers (%1)</source>
        <translation>Drivers (%1)</translation>
    </message>
    <message numerus="yes">
        <source>SAFE MODE: drivers are stopped after %n crash(es) in a short time.</source>
        <translation>
            <numerusform>SAFE MODE: drivers are stopped after %n crash in a short time.</numerusform>
            <numerusform>SAFE MODE: drivers are stopped after %n crashes in a short time.</numerusform>
        </translation>
    </message>
    <message>
        <source>Last changed driver: %1.</source>
        <translation>Last changed driver: %1.</translation>
    </message>
    <message>
        <source>Re-enable drivers</source>
        <translation>Re-enable drivers</translation>
    </message>
    <message>
        <source>All drivers start again. If a driver keeps crashing the controller, update or remove it first. Continue?</source>
        <translation>All drivers start again. If a driver keeps crashing the controller, update or remove it first. Continue?</translation>
    </message>
    <message>
        <source>Reload all</source>
        <translation>Reload all</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>Not connected: %1</translation>
    </message>
    <message>
        <source>Roll back %1 to %2</source>
        <translation>Roll back %1 to %2</translation>
    </message>
    <message>
        <source>%1 goes back to version %2. These devices restart on it: %3.</source>
        <translation>%1 goes back to version %2. These devices restart on it: %3.</translation>
    </message>
    <message>
        <source>%1 goes back to version %2. No device uses it.</source>
        <translation>%1 goes back to version %2. No device uses it.</translation>
    </message>
    <message>
        <source>Continue?</source>
        <translation>Continue?</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Events</translation>
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
        <translation>Technician actions are locked because no PIN is configured. Set technician-pin in the controller&apos;s configuration file (or CONTROL_NUC_TECHNICIAN_PIN) and restart the controller.</translation>
    </message>
    <message>
        <source>Enter the technician PIN</source>
        <translation>Enter the technician PIN</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <source>Unlock technician actions</source>
        <translation>Unlock technician actions</translation>
    </message>
    <message>
        <source>You can enter the PIN again.</source>
        <translation>You can enter the PIN again.</translation>
    </message>
</context>
<context>
    <name>SessionBar</name>
    <message>
        <source>Technician unlocked: %1</source>
        <translation>Technician unlocked: %1</translation>
    </message>
    <message>
        <source>Lock now</source>
        <translation>Lock now</translation>
    </message>
</context>
<context>
    <name>StatusBadge</name>
    <message>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Disconnected</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation>Reconnecting</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>In progress</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Active</translation>
    </message>
</context>
<context>
    <name>SystemView</name>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>no cloud configured</source>
        <translation>no cloud configured</translation>
    </message>
    <message>
        <source>%1 refused our credentials (HTTP %2): check the token</source>
        <translation>%1 refused our credentials (HTTP %2): check the token</translation>
    </message>
    <message>
        <source>Controller</source>
        <translation>Controller</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>App version</source>
        <translation>App version</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Uptime</translation>
    </message>
    <message>
        <source>app %1 · system %2</source>
        <translation>app %1 · system %2</translation>
    </message>
    <message>
        <source>Disk</source>
        <translation>Disk</translation>
    </message>
    <message>
        <source>%1 free of %2 under %3</source>
        <translation>%1 free of %2 under %3</translation>
    </message>
    <message>
        <source>Cloud</source>
        <translation>Cloud</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Network</translation>
    </message>
    <message>
        <source>down</source>
        <translation>down</translation>
    </message>
    <message>
        <source>no address</source>
        <translation>no address</translation>
    </message>
    <message>
        <source>Driver hosts</source>
        <translation>Driver hosts</translation>
    </message>
    <message>
        <source>No driver host running.</source>
        <translation>No driver host running.</translation>
    </message>
    <message>
        <source>%1 memory · pid %2</source>
        <translation>%1 memory · pid %2</translation>
    </message>
    <message>
        <source>not running</source>
        <translation>not running</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s)</source>
        <translation>
            <numerusform>%n device</numerusform>
            <numerusform>%n devices</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n restart(s)</source>
        <translation>
            <numerusform>%n restart</numerusform>
            <numerusform>%n restarts</numerusform>
        </translation>
    </message>
</context>
</TS>
