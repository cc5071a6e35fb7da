#!/usr/bin/env node
// The seed's Node controller design (shared/seeds/000_…: "NUC Driver Sync
// Implementation Guide"), the reference the benchmarks measure control-nuc
// against. README.md says what it implements and where it deviates.
//   node main.js --root DIR --cloud-url URL [--token T] [--controller-id ID]
//                [--name NAME] [--synchronous FULL|NORMAL|OFF]
//                [--journal-mode DELETE|WAL|...] [--exit-with-stdin]
// Without --synchronous / --journal-mode SQLite keeps its defaults
// (DELETE, FULL), as the seed's SQLite wrapper does.
'use strict';

const fs = require('fs');
const path = require('path');
const { Database } = require('./database');
const { CloudLink } = require('./websocket-client');
const { makeDriverSyncHandler } = require('./driver-sync');

const VERSION = '0.1.0-node-reference';

function parseArguments(argv) {
  const options = { root: '/opt/control-system', controllerId: 'nuc-node-reference', name: 'Node reference' };
  const names = {
    '--root': 'root', '--cloud-url': 'cloudUrl', '--token': 'token', '--controller-id': 'controllerId',
    '--name': 'name', '--synchronous': 'synchronous', '--journal-mode': 'journalMode',
  };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--exit-with-stdin') {
      options.exitWithStdin = true;
      i -= 1;
      continue;
    }
    const key = names[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`unknown or incomplete option: ${argv[i]}`);
    options[key] = argv[i + 1];
  }
  if (!options.cloudUrl) throw new Error('--cloud-url is required');
  return options;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const varDir = path.join(options.root, 'var');
  const driversDir = path.join(varDir, 'drivers');
  fs.mkdirSync(driversDir, { recursive: true });
  // The drivers' `require('./base-driver')` resolves next to them.
  fs.copyFileSync(path.join(__dirname, 'base-driver.js'), path.join(driversDir, 'base-driver.js'));

  const pragmas = {};
  if (options.journalMode) pragmas.journal_mode = options.journalMode;
  if (options.synchronous) pragmas.synchronous = options.synchronous;
  const db = new Database(path.join(varDir, 'database.sqlite'), pragmas);
  db.open();
  await db.run(`CREATE TABLE IF NOT EXISTS drivers (
  id TEXT PRIMARY KEY,
  driver_type TEXT UNIQUE NOT NULL,
  version TEXT NOT NULL,
  protocol_type TEXT NOT NULL,
  driver_code TEXT NOT NULL,
  command_mappings TEXT,
  connection_config TEXT,
  sync_id TEXT,
  synced_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  status TEXT DEFAULT 'active'
)`);

  // Created below; the link's callbacks run only after start().
  let deviceManager = null;
  let handleDriverSync = null;
  const DeviceManager = require('./device-manager');

  const sendHello = async () => {
    const drivers = await db.all('SELECT id, driver_type, version, sync_id, status FROM drivers');
    const devices = [];
    deviceManager.devices.forEach((d) => devices.push({ device_id: d.id, type: d.type, status: d.status }));
    link.send('hello', {
      controller_id: options.controllerId,
      name: options.name,
      app_version: VERSION,
      drivers: drivers.map((r) => ({ driver_id: r.id, driver_type: r.driver_type, version: r.version, sync_id: r.sync_id, status: r.status })),
      devices,
    });
  };

  const logFailure = (what) => (error) => console.error(`${what}: ${error && error.stack ? error.stack : error}`);
  const link = new CloudLink({
    url: options.cloudUrl,
    token: options.token,
    controllerId: options.controllerId,
    version: VERSION,
    onOpen: () => { sendHello().catch(logFailure('hello')); },
    onMessage: (message) => {
      const data = message.data || {};
      switch (message.type) {
        case 'driver_sync':
          handleDriverSync(data);
          break;
        case 'device_sync':
          deviceManager.syncDevices(data).catch(logFailure('device_sync'));
          break;
        case 'device_remove':
          deviceManager.removeDevice(data.device_id).catch(logFailure('device_remove'));
          break;
        case 'device_command':
          deviceManager.command(data).catch(logFailure('device_command'));
          break;
        case 'driver_reload':
          deviceManager.drivers.delete(data.driver_type);
          deviceManager.reloadDevicesUsingDriver(data.driver_type).catch(logFailure('driver_reload'));
          break;
        default:
          console.error(`ignoring a message of unknown type ${message.type}`);
      }
    },
  });
  deviceManager = new DeviceManager(link, driversDir);
  for (const row of await db.all('SELECT driver_type, protocol_type, command_mappings, connection_config FROM drivers')) {
    deviceManager.driverInfo.set(row.driver_type, {
      protocol_type: row.protocol_type,
      command_mappings: JSON.parse(row.command_mappings || '[]') || [],
      connection_config: JSON.parse(row.connection_config || '{}') || {},
    });
  }
  handleDriverSync = makeDriverSyncHandler({ link, db, deviceManager, driversDir });

  const stop = () => {
    link.stop();
    db.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (options.exitWithStdin) {
    // The benchmark that started us holds the other end: when it ends, so
    // do we (no reference left running after a benchmark that crashed).
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
  link.start();
}

main().catch((error) => {
  console.error(`node reference: ${error.message}`);
  process.exit(1);
});
