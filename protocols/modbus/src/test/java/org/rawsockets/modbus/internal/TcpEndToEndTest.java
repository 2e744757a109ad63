package org.rawsockets.modbus.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.Bits;
import org.rawsockets.modbus.ExceptionCode;
import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.modbus.ModbusConnectionException;
import org.rawsockets.modbus.ModbusExceptionResponse;
import org.rawsockets.modbus.ModbusTimeoutException;
import org.rawsockets.modbus.ModbusTransport;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.WordOrder;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * Modbus/TCP end to end: this client over the real socket service (MINA) against j2mod's and
 * digitalpetri's servers on 127.0.0.1.
 */
class TcpEndToEndTest {

    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    /** One j2mod server for the class (j2mod keeps static per-port state; restarts use digitalpetri). */
    static Peers.J2mod j2mod;
    final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    static void engine() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.modbus"));
    }

    @BeforeAll
    static void j2mod() throws Exception {
        j2mod = Peers.J2mod.start(Peers.J2modKind.TCP);
    }

    @AfterAll
    static void stopEngine() {
        j2mod.close();
        sockets.close();
        engine.close();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    ModbusClientImpl client(ClientSettings settings) {
        ModbusClientImpl c = new ModbusClientImpl(settings, sockets);
        cleanup.add(c);
        return c;
    }

    <T extends AutoCloseable> T peer(T peer) {
        cleanup.add(peer);
        return peer;
    }

    static ClientSettings tcp(int port) {
        return ClientSettings.tcp("plc", "127.0.0.1", port).withTimeout(Duration.ofSeconds(10));
    }

    @Test
    void readsEveryTableFromJ2mod() throws Exception {
        ModbusClientImpl c = client(tcp(j2mod.port));
        Registers h = await(c.readHoldingRegisters(1, 10, 125 - 50));
        for (int i = 0; i < h.size(); i++) {
            assertEquals(Peers.holding(10 + i), h.uint16(i));
        }
        Registers in = await(c.readInputRegisters(1, 0, 5));
        assertArrayEquals(new int[] { 1000, 1001, 1002, 1003, 1004 }, in.toUnsigned());
        Bits coils = await(c.readCoils(1, 1, 20));
        for (int i = 0; i < 20; i++) {
            assertEquals(Peers.coil(1 + i), coils.get(i), "coil " + (1 + i));
        }
        Bits di = await(c.readDiscreteInputs(1, 3, 17));
        for (int i = 0; i < 17; i++) {
            assertEquals(Peers.discrete(3 + i), di.get(i), "discrete input " + (3 + i));
        }
        assertEquals(ModbusClientStatus.State.CONNECTED, c.status().state());
    }

    @Test
    void writesAreReadBack() throws Exception {
        ModbusClientImpl c = client(tcp(j2mod.port));
        // writes go to addresses 150..199, which the read tests leave alone
        assertNull(await(c.writeSingleRegister(1, 155, 0xBEEF)));
        assertEquals(0xBEEF, await(c.readHoldingRegisters(1, 155, 1)).uint16(0));
        await(c.writeMultipleRegisters(1, 160, Registers.ofFloat32(WordOrder.HIGH_FIRST, 21.5f)));
        assertEquals(21.5f, await(c.readHoldingRegisters(1, 160, 2)).float32(0, WordOrder.HIGH_FIRST));
        await(c.writeMultipleRegisters(1, 162, Registers.ofInt32(WordOrder.LOW_FIRST, -123456)));
        assertEquals(-123456, await(c.readHoldingRegisters(1, 162, 2)).int32(0, WordOrder.LOW_FIRST));
        await(c.writeSingleCoil(1, 151, true));
        await(c.writeMultipleCoils(1, 170, Bits.of(true, true, false, true, false, false, false, false, true)));
        assertTrue(await(c.readCoils(1, 151, 1)).get(0));
        assertEquals(Bits.of(true, true, false, true, false, false, false, false, true), await(c.readCoils(1, 170, 9)));
        // 22: (0x0012 AND 0x00F2) OR (0x0025 AND NOT 0x00F2) = 0x0017 (spec example)
        await(c.writeSingleRegister(1, 180, 0x12));
        await(c.maskWriteRegister(1, 180, 0xF2, 0x25));
        assertEquals(0x17, await(c.readHoldingRegisters(1, 180, 1)).uint16(0));
        // 23: write 3 registers at 191, read 4 at 190
        await(c.writeSingleRegister(1, 190, 4242));
        Registers rw = await(c.readWriteMultipleRegisters(1, 190, 4, 191, Registers.ofInts(7, 8, 9)));
        assertArrayEquals(new int[] { 4242, 7, 8, 9 }, rw.toUnsigned());
    }

    @Test
    void illegalAddressBecomesTypedExceptionResponse() throws Exception {
        ModbusClientImpl c = client(tcp(j2mod.port));
        ModbusExceptionResponse e = assertThrows(ModbusExceptionResponse.class,
                () -> await(c.readHoldingRegisters(1, Peers.J2MOD_SIZE - 2, 10)));
        assertEquals(ExceptionCode.ILLEGAL_DATA_ADDRESS, e.exceptionCode());
        assertEquals(3, e.functionCode());
        assertTrue(e.getMessage().contains("ILLEGAL_DATA_ADDRESS") && e.getMessage().contains("plc"), e.getMessage());
        // the connection stays usable
        assertEquals(Peers.holding(3), await(c.readHoldingRegisters(1, 3, 1)).uint16(0));
    }

    @Test
    void aThousandConcurrentRequestsAllAnsweredCorrectly() throws Exception {
        try (Peers.Digitalpetri server = new Peers.Digitalpetri(false)) {
            ModbusClientImpl c = client(tcp(server.port).withMaxInFlight(32));
            List<CompletableFuture<Registers>> futures = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                futures.add(c.readHoldingRegisters(1, i, 1 + i % 10).toCompletableFuture());
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < 1000; i++) {
                Registers r = futures.get(i).join();
                assertEquals(1 + i % 10, r.size());
                for (int k = 0; k < r.size(); k++) {
                    assertEquals(Peers.holding(i + k), r.uint16(k), "request " + i + " register " + k);
                }
            }
            ModbusClientStatus s = c.status();
            assertEquals(1, s.connects(), "one shared connection");
            assertEquals(1000, s.completed());
            assertEquals(0, s.inFlight());
        }
    }

    @Test
    void timeoutFreesTheSlotAndTheNextRequestIsSent() throws Exception {
        Peers.Silent silent = peer(new Peers.Silent());
        ModbusClientImpl c = client(tcp(silent.port()).withTimeout(Duration.ofMillis(500)).withMaxInFlight(1));
        CompletableFuture<Registers> first = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        CompletableFuture<Registers> second = c.readHoldingRegisters(1, 1, 1).toCompletableFuture();
        ExecutionException e1 = assertThrows(ExecutionException.class, () -> first.get(30, TimeUnit.SECONDS));
        assertInstanceOf(ModbusTimeoutException.class, e1.getCause());
        assertTrue(e1.getCause().getMessage().contains("within 500 ms"), e1.getCause().getMessage());
        ExecutionException e2 = assertThrows(ExecutionException.class, () -> second.get(30, TimeUnit.SECONDS));
        assertInstanceOf(ModbusTimeoutException.class, e2.getCause());
        ModbusClientStatus s = c.status();
        assertEquals(0, s.inFlight());
        assertEquals(0, s.queued());
        assertEquals(2, s.timeouts());
        // and the slot is really free: a third request is sent and times out on its own
        ExecutionException e3 = assertThrows(ExecutionException.class,
                () -> c.readHoldingRegisters(1, 2, 1).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertInstanceOf(ModbusTimeoutException.class, e3.getCause());
    }

    @Test
    void reconnectsAfterTheServerRestarts() throws Exception {
        Peers.Digitalpetri server = peer(new Peers.Digitalpetri(false));
        ModbusClientImpl c = client(tcp(server.port).withReconnect(Duration.ofMillis(50), Duration.ofMillis(400)));
        assertEquals(Peers.holding(7), await(c.readHoldingRegisters(1, 7, 1)).uint16(0));
        server.stop();
        // the loss is noticed and reconnecting fails: while the server is down, requests fail with a
        // connection error (not hang)
        Waits.until(30_000, "backing off after the server stopped",
                () -> c.status().state() == ModbusClientStatus.State.BACKOFF, c::status);
        assertThrows(ModbusConnectionException.class, () -> await(c.readHoldingRegisters(1, 7, 1)));
        server.start();
        Waits.until(30_000, "connected again after the restart",
                () -> c.status().state() == ModbusClientStatus.State.CONNECTED, c::status);
        assertEquals(Peers.holding(8), await(c.readHoldingRegisters(1, 8, 1)).uint16(0), "answered after the restart");
        assertTrue(c.status().connects() >= 2);
    }

    @Test
    void connectRefusedFailsFastWithTheCause() throws Exception {
        int port = Peers.freePort();
        ModbusClientImpl c = client(tcp(port).withReconnect(Duration.ofSeconds(5), Duration.ofSeconds(10)));
        Waits.until(30_000, "backing off after the refused connect",
                () -> c.status().state() == ModbusClientStatus.State.BACKOFF, c::status);
        ModbusConnectionException e = assertThrows(ModbusConnectionException.class,
                () -> await(c.readHoldingRegisters(1, 0, 1)));
        assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("next attempt"),
                e.getMessage());
    }

    /**
     * A peer that accepts and then never answers (or trickles bytes that never make a frame) is not
     * kept for ever: after reconnectAfterTimeouts requests in a row time out, the connection is closed
     * (the peer sees it) and a new one is opened.
     */
    @Test
    void silentOrTricklingPeerIsDisconnectedAfterThreeTimeoutsInARow() throws Exception {
        for (boolean trickle : new boolean[] { false, true }) {
            Peers.Silent silent = peer(new Peers.Silent(trickle));
            ModbusClientImpl c = client(tcp(silent.port()).withTimeout(Duration.ofMillis(300)).withMaxInFlight(1)
                    .withReconnect(Duration.ofMillis(20), Duration.ofMillis(100)).withReconnectAfterTimeouts(3));
            Waits.until(10_000, "connected", () -> c.status().state() == ModbusClientStatus.State.CONNECTED, c::status);
            for (int i = 0; i < 2; i++) {
                int n = i;
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> c.readHoldingRegisters(1, n, 1).toCompletableFuture().get(30, TimeUnit.SECONDS));
                assertInstanceOf(ModbusTimeoutException.class, e.getCause());
            }
            assertEquals(1, silent.acceptedCount(), "two timeouts: the connection stays");
            assertEquals(0, silent.closedByClient.get());
            ExecutionException third = assertThrows(ExecutionException.class,
                    () -> c.readHoldingRegisters(1, 2, 1).toCompletableFuture().get(30, TimeUnit.SECONDS));
            assertInstanceOf(ModbusTimeoutException.class, third.getCause());
            Waits.until(5_000, "the peer sees the connection closed and a new one opened (trickle " + trickle + ")",
                    () -> silent.closedByClient.get() == 1 && silent.acceptedCount() == 2,
                    () -> "closed " + silent.closedByClient.get() + ", accepted " + silent.acceptedCount() + ", "
                            + c.status());
            assertTrue(c.status().error().orElse("").contains("3 requests in a row got no answer within 300 ms"),
                    c.status().toString());
        }
    }

    @Test
    void unitIdIsPerRequest() throws Exception {
        try (Peers.Digitalpetri server = new Peers.Digitalpetri(false)) {
            ModbusClientImpl c = client(tcp(server.port).withTransport(ModbusTransport.TCP));
            assertEquals(Peers.holding(1), await(c.readHoldingRegisters(1, 1, 1)).uint16(0));
            // digitalpetri has no image for unit 9: it answers with an exception or not at all
            Exception e = assertThrows(Exception.class, () -> await(c.readHoldingRegisters(9, 1, 1)));
            assertTrue(e instanceof ModbusExceptionResponse || e instanceof ModbusTimeoutException, e.toString());
        }
    }
}
