package org.rawsockets.modbus.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.ModbusException;
import org.rawsockets.modbus.ModbusExceptionResponse;
import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.modbus.internal.ClientSettings;
import org.rawsockets.modbus.internal.DeviceConfig;
import org.rawsockets.modbus.internal.ModbusDeviceComponent;
import org.rawsockets.modbus.internal.Waits;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.modbus.internal.ModbusClientImpl;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

import com.ghgande.j2mod.modbus.procimg.SimpleDigitalOut;
import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;

/** The Gogo commands against a real client and a j2mod server: output text and one-line errors. */
class ModbusCommandsTest {

    static MinaSocketEngine engine;
    static ModbusSlave slave;
    static ModbusClientImpl client;
    static ModbusCommands commands;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SimpleProcessImage image = new SimpleProcessImage(1);
        for (int i = 0; i < 50; i++) {
            image.addRegister(new SimpleRegister(i * 10));
            image.addDigitalOut(new SimpleDigitalOut(i % 2 == 1));
        }
        slave = ModbusSlaveFactory.createTCPSlave(java.net.InetAddress.getByName("127.0.0.1"), port, 16, false);
        slave.addProcessImage(1, image);
        slave.open();
        engine = MinaSocketEngine.standalone();
        client = new ModbusClientImpl(ClientSettings.tcp("plc1", "127.0.0.1", port).withTimeout(Duration.ofSeconds(10))
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200)), engine.serviceFor(Owner.of(1, "org.rawsockets.modbus")));
        commands = new ModbusCommands(List.of(client));
        // j2mod's open() returns once it listens; the client connects on its own
        Waits.until(20_000, "connected", () -> client.status().state() == ModbusClientStatus.State.CONNECTED,
                client::status);
    }

    @AfterAll
    static void stop() {
        client.close();
        engine.close();
        ModbusSlaveFactory.close(slave);
    }

    @Test
    void readPrintsAlignedAddressValueRows() throws Exception {
        String out = commands.read(-1, "uint16", "high", "plc1", "holding", 8, 3);
        assertEquals("""
                address  uint16
                      8      80
                      9      90
                     10     100
                """, out);
        String hex = commands.read(1, "hex", "high", "plc1", "holding", 1, 1);
        assertTrue(hex.contains("0x000A"), hex);
        String coils = commands.read(-1, "uint16", "high", "plc1", "coils", 0, 3);
        assertEquals("""
                address  value
                      0      0
                      1      1
                      2      0
                """, coils);
    }

    @Test
    void writeThenReadBackWith32BitFormats() throws Exception {
        assertEquals("wrote 2 registers at 40 on plc1 unit 1\n",
                commands.write(-1, "float32", "low", "plc1", "holding", 40, "-1.5"));
        assertTrue(commands.read(-1, "float32", "low", "plc1", "holding", 40, 1).contains("-1.5"));
        commands.write(-1, "int16", "high", "plc1", "holding", 42, "-2");
        assertTrue(commands.read(-1, "int16", "high", "plc1", "holding", 42, 1).contains("-2"));
        assertEquals("wrote 1 coil at 44 on plc1 unit 1\n", commands.write(-1, "int16", "high", "plc1", "coils", 44, "on"));
        assertTrue(commands.read(-1, "uint16", "high", "plc1", "coils", 44, 1).endsWith("44      1\n"));
    }

    @Test
    void pollPrintsOneLinePerPollAndStopsAfterTheCount() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String summary;
        try {
            summary = commands.poll(-1, "uint16", "high", 10, 3, "plc1", "holding", 0, 2);
        } finally {
            System.setOut(old);
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length, buf.toString());
        assertTrue(lines[0].startsWith("time") && lines[0].endsWith("0       1"), lines[0]);
        assertTrue(lines[1].matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\s+0\\s+10"), lines[1]);
        assertEquals("3 polls, 0 failed\n", summary);
    }

    @Test
    void errorsAreOneClearLine() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> commands.read(-1, "uint16", "high", "nope", "holding", 0, 1));
        assertEquals("no Modbus device 'nope'; configured: plc1", unknown.getMessage());
        ModbusExceptionResponse illegal = assertThrows(ModbusExceptionResponse.class,
                () -> commands.read(-1, "uint16", "high", "plc1", "holding", 49, 5));
        assertTrue(illegal.getMessage().contains("ILLEGAL_DATA_ADDRESS") && !illegal.getMessage().contains("\n"),
                illegal.getMessage());
        assertThrows(IllegalArgumentException.class, () -> commands.read(-1, "int64", "high", "plc1", "holding", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> commands.write(-1, "int16", "high", "plc1", "input", 0, "1"));
        ModbusException polls = assertThrows(ModbusException.class,
                () -> commands.poll(-1, "uint16", "high", 10, 2, "plc1", "holding", 49, 5));
        assertTrue(polls.getMessage().startsWith("2 of 2 polls failed"), polls.getMessage());
    }

    @Test
    void devicesListsStatus() {
        String out = commands.devices();
        assertTrue(out.startsWith("name"), out);
        assertTrue(out.contains("plc1") && out.contains("connected") && out.contains("tcp 127.0.0.1:"), out);
    }

    /** A rejected configuration is explained where the device is missing: "no device" and modbus:devices. */
    @Test
    void aRejectedConfigurationIsExplained() throws Exception {
        ConfigRegistry registry = new ConfigRegistry(DeviceConfig.PID, "Modbus device");
        ModbusCommands shell = new ModbusCommands(List.of(client), registry);
        Map<String, Object> bad = new HashMap<>(Map.of("name", "bad", "host", "127.0.0.1", "port", "5o2", "service.pid",
                "org.rawsockets.modbus.device~bad", "felix.fileinstall.filename",
                "file:/gw/etc/org.rawsockets.modbus.device-bad.cfg"));
        assertThrows(ConfigRejectedException.class,
                () -> new ModbusDeviceComponent(engine.serviceFor(Owner.of(2, "org.rawsockets.modbus")), bad, registry));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shell.read(-1, "uint16", "high", "bad", "holding", 0, 1));
        assertTrue(e.getMessage().matches("no Modbus device 'bad': its PID org\\.rawsockets\\.modbus\\.device~bad"
                + " \\(/gw/etc/org\\.rawsockets\\.modbus\\.device-bad\\.cfg\\) was rejected at \\d\\d:\\d\\d:\\d\\d:"
                + " field 'port' = '5o2': not a whole number; rule: a whole number such as 5000 \\(configured: plc1\\)"),
                e.getMessage());
        String devices = shell.devices();
        assertTrue(devices.contains("plc1") && devices.contains("rejected configurations (see the log):\n  PID"
                + " org.rawsockets.modbus.device~bad (/gw/etc/org.rawsockets.modbus.device-bad.cfg) was rejected at "),
                devices);
    }
}
