package org.rawsockets.modbus.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.DeviceIdentification;
import org.rawsockets.modbus.ModbusClientStatus;
import org.rawsockets.modbus.ModbusConnectionException;
import org.rawsockets.modbus.ModbusProtocolException;
import org.rawsockets.modbus.ModbusTransport;
import org.rawsockets.modbus.Registers;
import org.rawsockets.modbus.internal.codec.MbapCodec;
import org.rawsockets.modbus.internal.codec.RtuCodec;

/**
 * Client behaviour the real servers cannot be made to show: out-of-order and foreign answers,
 * malformed streams, bounds, multi-round device identification. The transport is in memory.
 */
class ClientBehaviourTest {

    private static final HexFormat HEX = HexFormat.of();
    private ModbusClientImpl client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    private ModbusClientImpl client(FakeConnector fake, ClientSettings s) {
        client = new ModbusClientImpl(s, fake);
        return client;
    }

    private static ClientSettings settings() {
        return ClientSettings.tcp("fake", "127.0.0.1", 502).withTimeout(Duration.ofSeconds(20));
    }

    private static int tx(byte[] adu) {
        return ByteBuffer.wrap(adu).getShort(0) & 0xFFFF;
    }

    private static <T> Throwable failure(CompletableFuture<T> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        return e.getCause();
    }

    /** A caller that gives up (cancels, or times out with orTimeout) frees the slot at once. */
    @Test
    void aCancelledRequestFreesItsSlotAtOnce() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings().withMaxInFlight(1));
        CompletableFuture<Registers> a = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        CompletableFuture<Registers> b = c.readHoldingRegisters(1, 1, 1).toCompletableFuture();
        CompletableFuture<Registers> queued = c.readHoldingRegisters(1, 2, 1).toCompletableFuture();
        FakeConnector.FakeLink link = fake.last();
        link.next(); // a is on the wire, b and the third wait for the one slot
        assertEquals(2, c.status().queued());
        queued.cancel(true); // a queued request leaves the queue
        assertEquals(1, c.status().queued());
        a.cancel(true); // the in-flight one frees its slot: b goes out now, not after a's 20 s timeout
        int txB = tx(link.next());
        assertEquals(0, c.status().queued());
        assertEquals(1, c.status().inFlight());
        link.reply(MbapCodec.encode(txB, 1, HEX.parseHex("03020007")));
        assertEquals(7, b.get(20, TimeUnit.SECONDS).uint16(0));
        b.orTimeout(1, TimeUnit.MILLISECONDS); // completing a done request changes nothing
        CompletableFuture<Registers> d = c.readHoldingRegisters(1, 3, 1).toCompletableFuture().orTimeout(50,
                TimeUnit.MILLISECONDS);
        int txD = tx(link.next());
        assertThrows(ExecutionException.class, () -> d.get(20, TimeUnit.SECONDS));
        Waits.until(5_000, "the slot freed by the caller's own timeout", () -> c.status().inFlight() == 0, c::status);
        assertTrue(txD != txB);
    }

    @Test
    void answersOutOfOrderAreMatchedByTransactionId() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings());
        CompletableFuture<Registers> a = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        CompletableFuture<Registers> b = c.readHoldingRegisters(1, 1, 1).toCompletableFuture();
        FakeConnector.FakeLink link = fake.last();
        int txA = tx(link.next());
        int txB = tx(link.next());
        assertTrue(txA != txB);
        link.reply(MbapCodec.encode(txB, 1, HEX.parseHex("03020002")));
        link.reply(MbapCodec.encode(txA, 1, HEX.parseHex("03020001")));
        assertEquals(1, a.get(20, TimeUnit.SECONDS).uint16(0));
        assertEquals(2, b.get(20, TimeUnit.SECONDS).uint16(0));
        // an answer nobody waits for is dropped and counted, not delivered
        link.reply(MbapCodec.encode(txA, 1, HEX.parseHex("03020001")));
        assertEquals(1, c.status().unmatchedResponses());
    }

    @Test
    void mismatchedResponsesAreProtocolErrors() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings());
        CompletableFuture<Registers> wrongFunction = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        FakeConnector.FakeLink link = fake.last();
        link.reply(MbapCodec.encode(tx(link.next()), 1, HEX.parseHex("04020001")));
        assertInstanceOf(ModbusProtocolException.class, failure(wrongFunction));
        CompletableFuture<Registers> wrongLength = c.readHoldingRegisters(1, 0, 2).toCompletableFuture();
        link.reply(MbapCodec.encode(tx(link.next()), 1, HEX.parseHex("03020001")));
        assertInstanceOf(ModbusProtocolException.class, failure(wrongLength));
        CompletableFuture<Registers> wrongUnit = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        link.reply(MbapCodec.encode(tx(link.next()), 7, HEX.parseHex("03020001")));
        Throwable t = failure(wrongUnit);
        assertInstanceOf(ModbusProtocolException.class, t);
        assertTrue(t.getMessage().contains("came from unit 7"), t.getMessage());
        assertEquals(ModbusClientStatus.State.CONNECTED, c.status().state(), "a well-framed mismatch keeps the connection");
    }

    @Test
    void aBrokenStreamDropsTheConnectionAndReconnects() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings().withReconnect(Duration.ofSeconds(30), Duration.ofSeconds(60)));
        CompletableFuture<Registers> a = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        FakeConnector.FakeLink link = fake.last();
        link.next();
        link.reply(HEX.parseHex("0001" + "0005" + "0003" + "010300")); // protocol id 5
        Throwable t = failure(a);
        assertInstanceOf(ModbusConnectionException.class, t);
        assertTrue(t.getMessage().contains("protocol identifier is 5"), t.getMessage());
        assertTrue(link.closed);
        // nothing had been answered on that connection: the client backs off before reconnecting
        assertEquals(ModbusClientStatus.State.BACKOFF, c.status().state());
    }

    @Test
    void reconnectsAtOnceAfterLosingAWorkingConnection() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings());
        CompletableFuture<Registers> a = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        FakeConnector.FakeLink link = fake.last();
        link.reply(MbapCodec.encode(tx(link.next()), 1, HEX.parseHex("03020001")));
        a.get(20, TimeUnit.SECONDS);
        CompletableFuture<Registers> inFlight = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        link.next();
        link.listener.closed(link, new java.io.IOException("reset by peer"));
        Throwable t = failure(inFlight);
        assertInstanceOf(ModbusConnectionException.class, t);
        assertTrue(t.getMessage().contains("reset by peer") && t.getMessage().contains("was sent"), t.getMessage());
        assertEquals(2, fake.connects());
        assertEquals(ModbusClientStatus.State.CONNECTED, c.status().state());
        CompletableFuture<Registers> after = c.readHoldingRegisters(1, 5, 1).toCompletableFuture();
        FakeConnector.FakeLink second = fake.last();
        second.reply(MbapCodec.encode(tx(second.next()), 1, HEX.parseHex("03020009")));
        assertEquals(9, after.get(20, TimeUnit.SECONDS).uint16(0));
    }

    @Test
    void maxInFlightAndQueueAreBounded() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings().withMaxInFlight(2).withMaxQueued(3));
        for (int i = 0; i < 5; i++) {
            c.readHoldingRegisters(1, i, 1);
        }
        FakeConnector.FakeLink link = fake.last();
        assertEquals(2, link.sent.size(), "only maxInFlight requests on the wire");
        assertEquals(3, c.status().queued());
        Throwable t = failure(c.readHoldingRegisters(1, 9, 1).toCompletableFuture());
        assertInstanceOf(ModbusConnectionException.class, t);
        assertTrue(t.getMessage().contains("maxQueued"), t.getMessage());
        // an answer frees a slot and the next queued request goes out
        link.reply(MbapCodec.encode(tx(link.next()), 1, HEX.parseHex("03020001")));
        assertEquals(2, link.sent.size());
    }

    @Test
    void closeFailsEverythingPending() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings().withMaxInFlight(1));
        CompletableFuture<Registers> sent = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        CompletableFuture<Registers> queued = c.readHoldingRegisters(1, 1, 1).toCompletableFuture();
        c.close();
        assertInstanceOf(ModbusConnectionException.class, failure(sent));
        assertInstanceOf(ModbusConnectionException.class, failure(queued));
        assertInstanceOf(ModbusConnectionException.class, failure(c.readCoils(1, 0, 1).toCompletableFuture()));
        assertEquals(ModbusClientStatus.State.CLOSED, c.status().state());
    }

    @Test
    void requestsWaitForAPendingConnect() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        fake.autoConnect = false;
        ModbusClientImpl c = client(fake, settings());
        CompletableFuture<Registers> r = c.readHoldingRegisters(1, 0, 1).toCompletableFuture();
        assertEquals(ModbusClientStatus.State.CONNECTING, c.status().state());
        FakeConnector.FakeLink link = fake.last();
        assertTrue(link.sent.isEmpty());
        fake.pendingConnects.take().complete(link);
        link.reply(MbapCodec.encode(tx(link.next()), 1, HEX.parseHex("0302002a")));
        assertEquals(42, r.get(20, TimeUnit.SECONDS).uint16(0));
    }

    @Test
    void deviceIdentificationFollowsMoreFollows() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings());
        CompletableFuture<DeviceIdentification> id = c.readDeviceIdentification(1, DeviceIdCategory.REGULAR)
                .toCompletableFuture();
        FakeConnector.FakeLink link = fake.last();
        byte[] first = link.next();
        assertEquals("2b0e0200", HEX.formatHex(first, 7, first.length));
        // page 1: objects 0 and 1, more follows from object 2
        link.reply(MbapCodec.encode(tx(first), 1, HEX.parseHex("2b0e0282ff0202" + "0003414243" + "000158")
                .clone()));
        // (object 0 twice in the page above is how the fake device misbehaves: the later value wins)
        byte[] second = link.next();
        assertEquals("2b0e0202", HEX.formatHex(second, 7, second.length));
        link.reply(MbapCodec.encode(tx(second), 1, HEX.parseHex("2b0e0282000001" + "02025631")));
        DeviceIdentification d = id.get(20, TimeUnit.SECONDS);
        assertEquals("X", d.text(0).orElseThrow());
        assertEquals("V1", d.text(2).orElseThrow());
        assertEquals(0x82, d.conformityLevel());
    }

    @Test
    void deviceIdentificationThatDoesNotProgressIsAProtocolError() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings());
        CompletableFuture<DeviceIdentification> id = c.readDeviceIdentification(1, DeviceIdCategory.BASIC)
                .toCompletableFuture();
        FakeConnector.FakeLink link = fake.last();
        link.reply(MbapCodec.encode(tx(link.next()), 1, HEX.parseHex("2b0e0101ff0000")));
        Throwable t = failure(id);
        assertInstanceOf(ModbusProtocolException.class, t);
        assertTrue(t.getMessage().contains("does not progress"), t.getMessage());
    }

    @Test
    void rtuSendsOneAtATimeAndRejectsUnframeableRawFunctions() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings().withTransport(ModbusTransport.RTU_OVER_TCP).withMaxInFlight(8));
        CompletableFuture<Registers> a = c.readHoldingRegisters(3, 0, 1).toCompletableFuture();
        CompletableFuture<Registers> b = c.readHoldingRegisters(3, 1, 1).toCompletableFuture();
        FakeConnector.FakeLink link = fake.last();
        assertArrayEquals(RtuCodec.encode(3, HEX.parseHex("0300000001")), link.next());
        assertTrue(link.sent.isEmpty(), "RTU: one request in flight");
        link.reply(RtuCodec.encode(3, HEX.parseHex("03020011")));
        assertEquals(0x11, a.get(20, TimeUnit.SECONDS).uint16(0));
        assertArrayEquals(RtuCodec.encode(3, HEX.parseHex("0300010001")), link.next());
        byte[] answer = RtuCodec.encode(3, HEX.parseHex("03020022"));
        link.reply(java.util.Arrays.copyOf(answer, 4)); // split
        assertFalse(b.isDone());
        link.reply(java.util.Arrays.copyOfRange(answer, 4, answer.length));
        assertEquals(0x22, b.get(20, TimeUnit.SECONDS).uint16(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.sendRaw(3, new byte[] { 0x41, 0 }));
        assertTrue(e.getMessage().contains("RTU"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.readCoils(0, 0, 1), "unit 0 is broadcast in RTU");
        // an unsolicited frame means the stream is out of step: reconnect
        link.reply(RtuCodec.encode(3, HEX.parseHex("03020033")));
        assertTrue(link.closed);
    }

    @Test
    void udpDropsMalformedDatagramsButKeepsGoing() throws Exception {
        FakeConnector fake = new FakeConnector(true);
        ModbusClientImpl c = client(fake, settings().withTransport(ModbusTransport.UDP));
        CompletableFuture<byte[]> raw = c.sendRaw(1, HEX.parseHex("4101")).toCompletableFuture();
        FakeConnector.FakeLink link = fake.last();
        int t = tx(link.next());
        link.reply(HEX.parseHex("00000000")); // garbage datagram
        assertFalse(raw.isDone());
        link.reply(MbapCodec.encode(t, 1, HEX.parseHex("41010203")));
        assertArrayEquals(HEX.parseHex("41010203"), raw.get(20, TimeUnit.SECONDS));
        assertFalse(link.closed);
        assertTrue(c.status().error().orElse("").contains("malformed datagram"));
    }

    @Test
    void argumentsAreCheckedBeforeSending() {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings());
        assertThrows(IllegalArgumentException.class, () -> c.readHoldingRegisters(256, 0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.readHoldingRegisters(1, 0, 126));
        assertTrue(e.getMessage().contains("1..125"), e.getMessage());
        assertTrue(fake.last().sent.isEmpty());
    }

    @Test
    void answersArrivingTogetherAreRefilledWithOneWrite() throws Exception {
        FakeConnector fake = new FakeConnector(false);
        ModbusClientImpl c = client(fake, settings().withMaxInFlight(2));
        for (int i = 0; i < 4; i++) {
            c.readHoldingRegisters(1, i, 1);
        }
        FakeConnector.FakeLink link = fake.last();
        byte[] a = link.next();
        byte[] b = link.next();
        assertEquals(12, a.length, "requests from callers go out one ADU per write");
        assertEquals(12, b.length);
        java.io.ByteArrayOutputStream both = new java.io.ByteArrayOutputStream();
        both.writeBytes(MbapCodec.encode(tx(a), 1, HEX.parseHex("03020001")));
        both.writeBytes(MbapCodec.encode(tx(b), 1, HEX.parseHex("03020002")));
        link.reply(both.toByteArray());
        byte[] refill = link.next();
        assertEquals(24, refill.length, "two answers in one chunk free two slots, refilled by one write");
        assertTrue(link.sent.isEmpty());
    }
}
