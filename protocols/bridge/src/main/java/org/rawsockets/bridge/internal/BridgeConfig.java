package org.rawsockets.bridge.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Factory configuration of one Modbus to MQTT publication (PID {@code org.rawsockets.bridge.modbus-mqtt}). */
@ObjectClassDefinition(id = BridgeConfig.PID, name = "Raw Sockets Modbus to MQTT bridge",
        description = "Reads a block of a Modbus device at an interval and publishes the values to an MQTT topic.")
public @interface BridgeConfig {

    String PID = "org.rawsockets.bridge.modbus-mqtt";

    @AttributeDefinition(description = "Name of this bridge (logs). Letters, digits, '.', '_' and '-'.")
    String name();

    @AttributeDefinition(description = "Modbus device name (the 'name' of an org.rawsockets.modbus.device)")
    String device();

    @AttributeDefinition(description = "MQTT broker name (the 'name' of an org.rawsockets.mqtt.broker)")
    String broker();

    @AttributeDefinition(options = { @Option(value = "holding", label = "Holding registers"),
        @Option(value = "input", label = "Input registers"), @Option(value = "coils", label = "Coils"),
        @Option(value = "discrete", label = "Discrete inputs") })
    String table() default "holding";

    @AttributeDefinition(min = "-1", max = "255", description = "Unit id; -1: the device's default")
    int unitId() default -1;

    @AttributeDefinition(min = "0", max = "65535", description = "First address, 0-based")
    int address() default 0;

    @AttributeDefinition(min = "1", max = "2000", description = "Number of registers (1..125) or bits (1..2000)")
    int count() default 1;

    @AttributeDefinition(min = "10", description = "Interval between reads (ms)")
    long intervalMillis() default 1000;

    @AttributeDefinition(description = "Topic the values are published to")
    String topic();

    @AttributeDefinition(min = "0", max = "2")
    int qos() default 1;

    @AttributeDefinition(description = "Publish retained (the last values for new subscribers)")
    boolean retain() default false;
}
