// The seed's handleDriverSync, step for step: progress `saving_file`, mkdir,
// fs.writeFile (no fsync: the seed has none), validation by require() (the
// seed's check: the export is a function), INSERT OR REPLACE into SQLite,
// reload of the devices of that type, `driver_sync_complete`; any failure
// answers `driver_sync_error`.
'use strict';

const fs = require('fs').promises;
const path = require('path');

function makeDriverSyncHandler({ link, db, deviceManager, driversDir }) {
  const DRIVERS_DIR = driversDir;

  return async function handleDriverSync(data) {
    const {
      sync_id,
      driver_id,
      driver_type,
      version,
      driver_code,
      command_mappings,
      protocol_type,
      connection_config,
    } = data;
    const driverPath = path.join(DRIVERS_DIR, `${driver_type}.js`);

    try {
      link.send('driver_sync_progress', { sync_id, status: 'in_progress', step: 'saving_file' });

      // 1. Ensure drivers directory exists
      await fs.mkdir(DRIVERS_DIR, { recursive: true });

      // 2. Write driver file to disk
      await fs.writeFile(driverPath, driver_code, 'utf8');

      // 3. Validate driver can be loaded (syntax check)
      try {
        delete require.cache[require.resolve(driverPath)];
        const DriverClass = require(driverPath);
        if (typeof DriverClass !== 'function') {
          throw new Error('Driver must export a class');
        }
      } catch (validateError) {
        throw new Error(`Driver validation failed: ${validateError.message}`);
      }

      // 4. Store in database
      await db.run(`
      INSERT OR REPLACE INTO drivers (
        id, driver_type, version, protocol_type,
        driver_code, command_mappings, connection_config,
        sync_id, synced_at, status
      ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, datetime('now'), 'active')
    `, [
        driver_id,
        driver_type,
        version,
        protocol_type,
        driver_code,
        JSON.stringify(command_mappings),
        JSON.stringify(connection_config),
        sync_id,
      ]);

      // 5. Update device manager to use new driver
      deviceManager.driverChanged(driver_type, {
        protocol_type,
        command_mappings: command_mappings || [],
        connection_config: connection_config || {},
      });
      // PROTOCOL.md's step, sent only when there are devices to reload (the
      // seed sends no step but saving_file), so a benchmark can split a
      // reload's time.
      if (deviceManager.devicesOf(driver_type).length > 0) {
        link.send('driver_sync_progress', { sync_id, status: 'in_progress', step: 'reloading_devices' });
      }
      await deviceManager.reloadDevicesUsingDriver(driver_type);

      // 6. Send success response
      link.send('driver_sync_complete', {
        sync_id,
        driver_id,
        driver_type,
        version,
        status: 'completed',
        file_path: driverPath,
      });
    } catch (error) {
      console.error(`✗ Driver sync error for ${driver_type}:`, error.message);
      link.send('driver_sync_error', {
        sync_id: sync_id ?? null,
        driver_id: driver_id ?? null,
        driver_type: driver_type ?? null,
        error_message: error.message,
        error_stack: error.stack,
      });
    }
  };
}

module.exports = { makeDriverSyncHandler };
