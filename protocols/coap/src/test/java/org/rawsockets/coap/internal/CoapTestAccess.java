package org.rawsockets.coap.internal;

import java.util.Map;

import org.rawsockets.coap.CoapClient;
import org.rawsockets.protocols.config.ConfigRegistry;

/** Lets tests in other packages (the shell) start peers and make device components. */
public abstract class CoapTestAccess extends CoapTestSupport {

    /** A started libcoap server. */
    public record Server(int port) {
    }

    protected Server libcoapServer() throws Exception {
        return new Server(libcoap().port);
    }

    protected CoapClient device(String name, int port) {
        CoapDeviceComponent c = new CoapDeviceComponent(sockets, Map.of("name", name, "host", "127.0.0.1", "port", port,
                "service.pid", DeviceConfig.PID + "." + name), new ConfigRegistry(DeviceConfig.PID, "CoAP device"));
        closing(c::deactivate);
        return c;
    }
}
