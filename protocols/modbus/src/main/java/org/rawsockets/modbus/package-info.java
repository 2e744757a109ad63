/**
 * Modbus client API: one {@link org.rawsockets.modbus.ModbusClient} service per configured device
 * (Modbus/TCP, RTU over TCP or Modbus/UDP), value types for registers and bits, and the typed
 * failures of a Modbus call.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.rawsockets.modbus;
