package org.rawsockets.webbridge.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.webbridge.internal.session.FakePage.assertError;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.webbridge.internal.protocol.BridgeProtocolException;
import org.rawsockets.webbridge.internal.protocol.Frame;

/** The bridge protocol against the real MINA socket service and real loopback peers. */
class BridgeSessionTest {

    private MinaSocketEngine engine;
    private MinaSocketEngine.OwnedSocketService sockets;
    private final LoopbackPeers peers = new LoopbackPeers();
    private final FakePage page = new FakePage();

    @BeforeEach
    void start() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.webbridge"));
    }

    @AfterEach
    void stop() {
        if (page.session != null) {
            page.session.ended();
        }
        sockets.close();
        engine.close();
        peers.close();
    }

    static String tcp(int port) {
        return "remoteAddress=127.0.0.1\nremotePort=" + port + "\n";
    }

    @Test
    void tcpEchoRoundTripOfFourMebibytesWithCreditBothWays() throws Exception {
        int echo = peers.tcpEcho();
        page.connect(sockets, Limits.DEFAULTS);
        page.open(Frame.OPEN_TCP, 1, tcp(echo));
        page.credit(1, 256 * 1024);
        FakePage.Got opened = page.expect(Frame.OPENED, 1);
        assertTrue(opened.text().contains("remotePort=" + echo), opened.text());
        int sendCredit = page.expect(Frame.CREDIT, 1).creditAmount();
        assertEquals(Limits.DEFAULTS.sendWindow(), sendCredit);

        byte[] payload = new byte[4 << 20];
        new java.util.Random(1).nextBytes(payload);
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        int sent = 0;
        long granted = 256 * 1024;
        while (received.size() < payload.length) {
            while (sent < payload.length && sendCredit > 0) {
                int n = Math.min(Math.min(sendCredit, Frame.MAX_DATA), payload.length - sent);
                page.send(Frame.encode(Frame.DATA, 1, ByteBuffer.wrap(payload, sent, n)));
                sent += n;
                sendCredit -= n;
            }
            FakePage.Got g = page.next();
            if (g.type() == Frame.CREDIT) {
                sendCredit += g.creditAmount();
            } else {
                assertEquals(Frame.DATA, g.type(), "unexpected " + g);
                received.writeBytes(g.payload());
                assertTrue(received.size() <= granted, "the gateway sent beyond the page's credit");
                page.credit(1, g.payload().length);
                granted += g.payload().length;
            }
        }
        assertEquals(java.util.Arrays.hashCode(payload), java.util.Arrays.hashCode(received.toByteArray()));
        page.send(Frame.empty(Frame.END, 1));
        assertEquals(Frame.END, page.nextNonCredit().type());
        assertEquals(Frame.CLOSE, page.nextNonCredit().type());
        assertEquals(0, page.session.openSockets());
    }

    @Test
    void frameForASocketNeverOpenedGetsAnErrorFrameAndTheConnectionGoesOn() throws Exception {
        int echo = peers.tcpEcho();
        page.connect(sockets, Limits.DEFAULTS);
        page.data(99, "x".getBytes(StandardCharsets.US_ASCII));
        FakePage.Got g = page.next();
        assertError(g, 99, "InvalidStateError");
        assertTrue(g.text().contains("never opened"), g.text());
        page.open(Frame.OPEN_TCP, 100, tcp(echo));
        page.expect(Frame.OPENED, 100);
        assertFalse(page.session.isEnded());
    }

    @Test
    void dataBeforeCreditIsACreditOverflowThatClosesTheConnection() throws Exception {
        int echo = peers.tcpEcho();
        page.connect(sockets, Limits.DEFAULTS);
        // OPEN and DATA in one message: the page has no credit before the gateway's CREDIT frame
        ByteBuffer both = ByteBuffer.allocate(1024);
        both.put(Frame.encode(Frame.OPEN_TCP, 1, tcp(echo))).put(Frame.encode(Frame.DATA, 1, "hi")).flip();
        page.send(both);
        FakePage.Got g = page.nextNonCredit();
        while (g.type() == Frame.OPENED || g.type() == Frame.CLOSE) {
            g = page.nextNonCredit();
        }
        assertError(g, 0, "ProtocolError");
        assertTrue(g.text().contains("credit overflow on socket 1"), g.text());
        assertTrue(page.awaitClose().startsWith(BridgeProtocolException.PROTOCOL_ERROR + " "));
        assertEquals(0, page.session.openSockets());
    }

    @Test
    void creditBeyondTheMaximumIsACreditOverflow() throws Exception {
        int echo = peers.tcpEcho();
        page.connect(sockets, Limits.DEFAULTS);
        page.open(Frame.OPEN_TCP, 1, tcp(echo));
        page.credit(1, Limits.DEFAULTS.maxCredit());
        page.credit(1, 1);
        FakePage.Got g = page.nextNonCredit();
        while (g.id() != 0) {
            g = page.nextNonCredit();
        }
        assertError(g, 0, "ProtocolError");
        assertTrue(g.text().contains("credit overflow"), g.text());
        assertTrue(page.awaitClose().startsWith("1002 "));
    }

    @Test
    void aHundredMegabyteFrameClosesWith1009AndBuffersNothing() throws Exception {
        int echo = peers.tcpEcho();
        page.connect(sockets, Limits.DEFAULTS);
        page.open(Frame.OPEN_TCP, 1, tcp(echo));
        page.expect(Frame.OPENED, 1);
        ByteBuffer huge = ByteBuffer.allocate(Frame.HEADER + 4096);
        huge.put((byte) Frame.DATA).putInt(1).putInt(100 << 20).put(new byte[4096]).flip();
        page.send(huge);
        FakePage.Got g = page.nextNonCredit();
        assertError(g, 0, "ProtocolError");
        assertTrue(g.text().contains("frame too large"), g.text());
        assertTrue(page.awaitClose().startsWith("1009 "));
        assertEquals(0, page.session.inboundBuffered());
        assertTrue(page.session.isEnded());
        // the page's socket is closed with the connection
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!sockets.sockets().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "sockets left open: " + sockets.sockets());
            Thread.onSpinWait();
        }
    }

    @Test
    void malformedFramesAreProtocolErrors() throws Exception {
        page.connect(sockets, Limits.DEFAULTS);
        page.send(ByteBuffer.allocate(Frame.HEADER).put((byte) Frame.OPENED).putInt(1).putInt(0).flip());
        assertError(page.next(), 0, "ProtocolError");
        assertTrue(page.awaitClose().startsWith("1002 "));

        FakePage second = new FakePage();
        second.connect(sockets, Limits.DEFAULTS);
        second.send(Frame.encode(Frame.CREDIT, 1, "12345"));
        FakePage.Got g = second.next();
        assertError(g, 0, "ProtocolError");
        assertTrue(g.text().contains("malformed CREDIT"), g.text());
    }

    @Test
    void invalidOptionsAreATypeErrorForThatSocketOnly() throws Exception {
        page.connect(sockets, Limits.DEFAULTS);
        page.open(Frame.OPEN_TCP, 1, "remoteAddress=127.0.0.1\nremotePort=70000\n");
        FakePage.Got g = page.next();
        assertError(g, 1, "TypeError");
        assertTrue(g.text().contains("remotePort must be within 1..65535"), g.text());
        page.open(Frame.OPEN_TCP, 2, "remoteAddress=127.0.0.1\nremotePort=7\ncolour=blue\n");
        assertTrue(page.next().text().contains("unknown option 'colour'"));
        assertFalse(page.session.isEnded());
    }

    @Test
    void refusedConnectionIsANetworkErrorWithItsReason() throws Exception {
        java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int port = s.getLocalPort();
        s.close(); // nothing listens there now
        page.connect(sockets, Limits.DEFAULTS);
        page.open(Frame.OPEN_TCP, 1, tcp(port));
        FakePage.Got g = page.next();
        assertError(g, 1, "NetworkError");
        assertEquals("REFUSED", g.text().split("\n")[1]);
    }

    @Test
    void socketsPastTheConnectionLimitAreNotAllowed() throws Exception {
        int echo = peers.tcpEcho();
        page.connect(sockets, new Limits(2, 65536, 65536, 65536));
        page.open(Frame.OPEN_TCP, 1, tcp(echo));
        page.open(Frame.OPEN_TCP, 2, tcp(echo));
        page.open(Frame.OPEN_TCP, 3, tcp(echo));
        FakePage.Got g;
        do {
            g = page.next();
        } while (g.id() != 3);
        assertError(g, 3, "NotAllowedError");
        assertTrue(g.text().contains("at most 2"), g.text());
    }

    @Test
    void udpConnectedEcho() throws Exception {
        int echo = peers.udpEcho();
        page.connect(sockets, Limits.DEFAULTS);
        page.open(Frame.OPEN_UDP, 1, tcp(echo));
        page.credit(1, 65536);
        page.expect(Frame.OPENED, 1);
        page.expect(Frame.CREDIT, 1);
        ByteBuffer d = Frame.allocate(Frame.DATAGRAM, 1, 3 + 5);
        d.put((byte) 0).putShort((short) 0).put("hello".getBytes(StandardCharsets.US_ASCII)).flip();
        page.send(d);
        FakePage.Got g = page.nextNonCredit();
        assertEquals(Frame.DATAGRAM, g.type());
        ByteBuffer p = ByteBuffer.wrap(g.payload());
        int hostLength = p.get() & 0xff;
        p.position(1 + hostLength + 2);
        assertEquals("hello", StandardCharsets.US_ASCII.decode(p).toString());
    }

    @Test
    void tcpServerAcceptsOneConnectionPerCredit() throws Exception {
        page.connect(sockets, Limits.DEFAULTS);
        page.open(Frame.OPEN_TCP_SERVER, 1, "localAddress=127.0.0.1\nlocalPort=0\n");
        FakePage.Got opened = page.expect(Frame.OPENED, 1);
        int port = Integer.parseInt(opened.text().replaceAll("(?s).*localPort=(\\d+).*", "$1"));
        page.credit(1, 1);
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            FakePage.Got acc = page.expect(Frame.ACCEPTED, 1);
            int child = ByteBuffer.wrap(acc.payload()).getInt();
            assertTrue((child & Frame.GATEWAY_ID_BIT) != 0);
            page.expect(Frame.CREDIT, child);
            page.credit(child, 65536);
            OutputStream o = client.getOutputStream();
            o.write("ping".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            FakePage.Got data = page.expect(Frame.DATA, child);
            assertEquals("ping", new String(data.payload(), StandardCharsets.US_ASCII));
            page.data(child, "pong".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            assertEquals("pong", new String(in.readNBytes(4), StandardCharsets.US_ASCII));
        }
    }
}
