package org.rawsockets.modbus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.DeviceIdentification;
import org.rawsockets.modbus.ExceptionCode;
import org.rawsockets.modbus.ModbusExceptionResponse;
import org.rawsockets.modbus.Registers;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * Against npm {@code modbus-serial} 8.0.25's ServerTCP run by node: device identification (43/14,
 * including the "more follows" continuation across several responses) and a register cross-check.
 * The package is installed by this test into {@code target/node} (npm from Debian, see .ci/apt-packages.txt).
 */
class NodeModbusSerialTest {

    static final String VERSION = "8.0.25";
    static final String LONG_A = "A".repeat(120);
    static final String LONG_B = "B".repeat(120);
    static Process node;
    static int port;
    static MinaSocketEngine engine;
    static ModbusClientImpl client;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Path.of("target", "node").toAbsolutePath();
        Files.createDirectories(dir);
        if (!Files.exists(dir.resolve("node_modules/modbus-serial/package.json"))) {
            run(dir, "npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund", "--ignore-scripts",
                    "--loglevel=error", "modbus-serial@" + VERSION);
        }
        Path script = dir.resolve("server.js");
        Files.writeString(script, """
                const ModbusRTU = require("modbus-serial");
                const port = parseInt(process.argv[2]);
                const vector = {
                  getHoldingRegister: (addr, unitID) => {
                    if (addr >= 1000) { throw { modbusErrorCode: 0x02, msg: "illegal address" }; }
                    return (addr * 3) & 0xFFFF;
                  },
                  getInputRegister: (addr, unitID) => 1000 + addr,
                  getCoil: (addr, unitID) => addr % 3 === 0,
                  setRegister: (addr, value, unitID) => {},
                  setCoil: (addr, value, unitID) => {},
                  readDeviceIdentification: (unitID) => ({
                    0x03: "https://example.org/raw-sockets",
                    0x04: "Raw Sockets test device",
                    0x05: "RS-1",
                    0x06: "node modbus-serial",
                    0x80: "LONG_A",
                    0x81: "LONG_B",
                  }),
                };
                const server = new ModbusRTU.ServerTCP(vector, { host: "127.0.0.1", port: port, unitID: 1 });
                server.on("initialized", () => console.log("LISTENING"));
                server.on("serverError", (e) => { console.log("ERROR " + e); process.exit(3); });
                process.stdin.on("end", () => process.exit(0));
                process.stdin.resume();
                """.replace("LONG_A", LONG_A).replace("LONG_B", LONG_B));
        port = Peers.freePort();
        ProcessBuilder pb = new ProcessBuilder("node", script.toString(), Integer.toString(port)).directory(dir.toFile())
                .redirectErrorStream(true);
        pb.environment().put("NODE_PATH", dir.resolve("node_modules").toString());
        node = start(pb);
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return "read failed: " + e;
            }
        });
        String line = first.get(60, TimeUnit.SECONDS);
        assertEquals("LISTENING", line, "node modbus-serial server did not start");
        engine = MinaSocketEngine.standalone();
        client = new ModbusClientImpl(ClientSettings.tcp("node", "127.0.0.1", port).withTimeout(Duration.ofSeconds(10)),
                engine.serviceFor(Owner.of(1, "org.rawsockets.modbus")));
    }

    private static Process start(ProcessBuilder pb) throws IOException {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot run '" + pb.command().get(0) + "' (" + e.getMessage()
                    + "): install the test peers with .ci/setup (Debian nodejs and npm)", e);
        }
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = start(new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true));
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (node != null) {
            node.getOutputStream().close();
            if (!node.waitFor(10, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
    }

    @Test
    void basicDeviceIdentification() throws Exception {
        DeviceIdentification id = TcpEndToEndTest.await(client.readDeviceIdentification(1, DeviceIdCategory.BASIC));
        assertEquals("modbus-serial", id.text(DeviceIdentification.PRODUCT_CODE).orElseThrow());
        assertEquals(VERSION, id.text(DeviceIdentification.MAJOR_MINOR_REVISION).orElseThrow());
        assertTrue(id.objects().containsKey(DeviceIdentification.VENDOR_NAME));
        // modbus-serial answers a BASIC request with the regular objects too and "more follows" from
        // 0x80; the client stops at the end of the category instead of looping
        assertTrue(id.objects().keySet().containsAll(java.util.List.of(0, 1, 2)), id.objects().keySet().toString());
        assertTrue(!id.objects().containsKey(0x80), id.objects().keySet().toString());
    }

    @Test
    void extendedIdentificationSpansSeveralResponses() throws Exception {
        // 7 standard objects + two private ones of 120 bytes do not fit one 253-byte PDU: the device
        // answers "more follows" and the client continues from the next object id.
        DeviceIdentification id = TcpEndToEndTest.await(client.readDeviceIdentification(1, DeviceIdCategory.EXTENDED));
        assertEquals("Raw Sockets test device", id.text(DeviceIdentification.PRODUCT_NAME).orElseThrow());
        assertEquals("RS-1", id.text(DeviceIdentification.MODEL_NAME).orElseThrow());
        assertEquals(LONG_A, id.text(0x80).orElseThrow());
        assertEquals(LONG_B, id.text(0x81).orElseThrow());
        assertTrue(client.status().completed() >= 2);
    }

    @Test
    void registersAndExceptionsCrossCheck() throws Exception {
        Registers r = TcpEndToEndTest.await(client.readHoldingRegisters(1, 10, 5));
        for (int i = 0; i < 5; i++) {
            assertEquals(3 * (10 + i), r.uint16(i));
        }
        ModbusExceptionResponse e = assertThrows(ModbusExceptionResponse.class,
                () -> TcpEndToEndTest.await(client.readHoldingRegisters(1, 998, 5)));
        assertEquals(ExceptionCode.ILLEGAL_DATA_ADDRESS, e.exceptionCode());
    }
}
