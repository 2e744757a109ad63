package org.rawsockets.socket.admin;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented by a protocol bundle (as an OSGi service) to show the devices or servers it talks to
 * in operator tools (the web console's Devices page): Modbus devices, mail servers, brokers.
 * {@link #devices()} is called on a console thread: return a snapshot at once, never block on I/O.
 */
@ConsumerType
public interface DeviceStatusProvider {

    /** The devices now, in a stable order. */
    List<DeviceStatus> devices();
}
