// The seed's DeviceManager (loadDriver, createDevice,
// reloadDevicesUsingDriver, sendStatusUpdate as the note writes them), plus
// what PROTOCOL.md asks of a controller that the note leaves out:
// device_sync, device_remove, device_command and driver_reload.
'use strict';

const path = require('path');

const COMMAND_TIMEOUT_MS = 10000;

class DeviceManager {
  constructor(link, driversDir) {
    this.link = link;
    this.devices = new Map();
    this.drivers = new Map();
    this.DRIVERS_DIR = driversDir;
    // driver_type → { protocol_type, command_mappings, connection_config }
    // of the active version: a device's config is the driver's default
    // connection_config with its own on top (DRIVER_API.md).
    this.driverInfo = new Map();
    this.CONTEXT = require(path.join(driversDir, 'base-driver.js')).CONTEXT;
  }

  async loadDriver(driverType) {
    if (this.drivers.has(driverType)) {
      return this.drivers.get(driverType);
    }
    const driverPath = path.join(this.DRIVERS_DIR, `${driverType}.js`);
    try {
      // Clear require cache to get fresh copy
      delete require.cache[require.resolve(driverPath)];
      const DriverClass = require(driverPath);
      this.drivers.set(driverType, DriverClass);
      return DriverClass;
    } catch (error) {
      throw new Error(`driver not installed: ${driverType}`);
    }
  }

  // A new version of `driverType` was stored: the seed keeps serving the
  // class it loaded first from its cache, so a reload would recreate the
  // devices from the old code; forgetting it makes loadDriver read the new
  // file (a fix of the seed, see README.md).
  driverChanged(driverType, info) {
    this.drivers.delete(driverType);
    this.driverInfo.set(driverType, info);
  }

  configFor(device) {
    const info = this.driverInfo.get(device.type) || {};
    return {
      ...(info.connection_config || {}),
      ...device.connection_config,
      name: device.name,
      deviceId: device.id,
      [this.CONTEXT]: {
        protocol: info.protocol_type,
        commandMappings: info.command_mappings || [],
        reportStatus: (status, message) => this.sendStatusUpdate(device.id, status, message),
      },
    };
  }

  async createDevice(deviceConfig) {
    const { device_id, name, type, connection_config } = deviceConfig;
    const device = { id: device_id, name, type, driver: null, connection_config: connection_config || {}, status: 'disconnected' };
    this.devices.set(device_id, device);
    let DriverClass;
    try {
      DriverClass = await this.loadDriver(type);
    } catch (error) {
      device.status = 'error';
      this.sendStatusUpdate(device_id, 'error', error.message);
      return null;
    }
    const driver = new DriverClass(this.configFor(device));
    device.driver = driver;
    try {
      await driver.connect();
      device.status = 'connected';
      this.sendStatusUpdate(device_id, 'connected');
    } catch (error) {
      console.error(`Failed to connect device ${name}:`, error.message);
      device.status = 'error';
      this.sendStatusUpdate(device_id, 'error', error.message);
    }
    return driver;
  }

  devicesOf(driverType) {
    const ids = [];
    this.devices.forEach((device, deviceId) => {
      if (device.type === driverType) ids.push(deviceId);
    });
    return ids;
  }

  async reloadDevicesUsingDriver(driverType) {
    for (const deviceId of this.devicesOf(driverType)) {
      const device = this.devices.get(deviceId);
      try {
        if (device.driver && typeof device.driver.disconnect === 'function') {
          await device.driver.disconnect();
        }
        const DriverClass = await this.loadDriver(driverType);
        const newDriver = new DriverClass(this.configFor(device));
        await newDriver.connect();
        device.driver = newDriver;
        device.status = 'connected';
        this.sendStatusUpdate(deviceId, 'connected');
      } catch (error) {
        console.error(`✗ Failed to reload device ${device.name}:`, error.message);
        device.status = 'error';
        this.sendStatusUpdate(deviceId, 'error', error.message);
      }
    }
  }

  async removeDevice(deviceId) {
    const device = this.devices.get(deviceId);
    if (!device) return;
    this.devices.delete(deviceId);
    if (device.driver && typeof device.driver.disconnect === 'function') {
      await Promise.resolve(device.driver.disconnect()).catch(() => undefined);
    }
  }

  // device_sync: upserts one after another, as the seed's reload does.
  async syncDevices(data) {
    const listed = new Set();
    for (const entry of data.devices || []) {
      listed.add(entry.device_id);
      await this.removeDevice(entry.device_id);
      // A constructor that throws ends the note's createDevice; here it
      // reports that device's error and the others still start.
      await this.createDevice(entry).catch((error) => this.sendStatusUpdate(entry.device_id, 'error', error.message));
    }
    if (data.replace) {
      for (const id of [...this.devices.keys()]) if (!listed.has(id)) await this.removeDevice(id);
    }
  }

  async command(data) {
    const { request_id, device_id, command, params } = data;
    const started = process.hrtime.bigint();
    const device = this.devices.get(device_id);
    let ok = false;
    let result = null;
    let error = null;
    if (!device) {
      error = `unknown device: ${device_id}`;
    } else if (device.status !== 'connected') {
      error = `device not connected: ${device_id} (${device.status})`;
    } else {
      let timer;
      try {
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
        });
        result = await Promise.race([device.driver.sendCommand(command, params || {}), timeout]);
        ok = true;
      } catch (e) {
        error = e && e.message ? e.message : String(e);
      } finally {
        clearTimeout(timer);
      }
    }
    this.link.send('device_command_result', {
      request_id,
      device_id,
      ok,
      result: ok ? (result === undefined ? null : result) : null,
      error,
      duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
    });
  }

  sendStatusUpdate(deviceId, status, message = null) {
    this.link.send('status_update', {
      device_id: deviceId,
      status,
      message,
      timestamp: new Date().toISOString(),
    });
  }
}

module.exports = DeviceManager;
