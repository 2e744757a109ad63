package org.rawsockets.modbus.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Factory configuration of one Modbus device (PID {@code org.rawsockets.modbus.device}). */
@ObjectClassDefinition(id = DeviceConfig.PID, name = "Raw Sockets Modbus device",
        description = "One Modbus device (or gateway); each configuration registers one ModbusClient service"
                + " with the service property 'name'.")
public @interface DeviceConfig {

    String PID = "org.rawsockets.modbus.device";

    @AttributeDefinition(name = "Name", description = "Device name used by the shell and the service property"
            + " 'name', e.g. plc1. Letters, digits, '.', '_' and '-'.")
    String name();

    @AttributeDefinition(name = "Host", required = false, description = "Host name or IP address of the device."
            + " Leave empty when 'endpoint' is set.")
    String host() default "";

    @AttributeDefinition(name = "Socket endpoint", required = false, description = "Name of a socket endpoint"
            + " configured by the operator (it supplies address and port). Leave empty when 'host' is set.")
    String endpoint() default "";

    @AttributeDefinition(name = "Port", min = "1", max = "65535", description = "TCP or UDP port of the device.")
    int port() default 502;

    @AttributeDefinition(name = "Transport", options = {
            @Option(value = "TCP", label = "Modbus/TCP (MBAP)"),
            @Option(value = "RTU_OVER_TCP", label = "RTU frames over TCP (serial gateways)"),
            @Option(value = "UDP", label = "Modbus/UDP") })
    String transport() default "TCP";

    @AttributeDefinition(name = "Unit id", min = "0", max = "255", description = "Default unit id (slave"
            + " address); 1..247 for RTU. Shell commands can override it per request.")
    int unitId() default 1;

    @AttributeDefinition(name = "Request timeout (ms)", min = "1", description = "Per request, from submit to"
            + " response; a timed-out request frees its slot.")
    long timeoutMillis() default 2000;

    @AttributeDefinition(name = "Connect timeout (ms)", min = "1")
    long connectTimeoutMillis() default 5000;

    @AttributeDefinition(name = "Max in flight", min = "1", max = "65535", description = "Requests sent and"
            + " not yet answered on the one connection (always 1 for RTU). Many devices handle only a few.")
    int maxInFlight() default 16;

    @AttributeDefinition(name = "Max queued", min = "0", max = "1000000", description = "Requests waiting for a"
            + " free slot; beyond this a request fails at once.")
    int maxQueued() default 4096;

    @AttributeDefinition(name = "Reconnect min delay (ms)", min = "1", description = "Back-off after the first"
            + " failed connect; doubles per failure (with +-20% jitter).")
    long reconnectMinMillis() default 250;

    @AttributeDefinition(name = "Reconnect max delay (ms)", min = "1")
    long reconnectMaxMillis() default 30000;

    @AttributeDefinition(name = "Reconnect after timeouts", min = "0", description = "Close the TCP connection and"
            + " open a new one after this many requests in a row got no answer (a silent or stuck device, or a"
            + " half-open connection); 0: never. RTU over TCP reconnects after every timeout anyway.")
    int reconnectAfterTimeouts() default 3;

    @AttributeDefinition(name = "Connect on start", description = "true: connect as soon as the device is"
            + " configured and keep reconnecting, so its state (connected, or the last connect error) shows in"
            + " modbus:devices and the console from the start. false: stay idle until the first request opens the"
            + " connection (then kept and reopened as usual); for devices that accept few connections.")
    boolean connectOnStart() default true;
}
