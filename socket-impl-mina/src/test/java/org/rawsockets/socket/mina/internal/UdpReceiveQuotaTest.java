package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;

/**
 * Received, unread datagrams count against the owner's maxBufferedBytes quota (as unread TCP bytes
 * do): above it further datagrams are dropped and counted; reading frees the quota; another bundle
 * is not affected.
 */
class UdpReceiveQuotaTest {

    static final int SIZE = 3000;

    static void await(LongSupplier value, long expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value.getAsLong() != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + value.getAsLong() + ", expected " + expected);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void unreadDatagramsCountAgainstMaxBufferedBytes() throws Exception {
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(Map.of("quota.small",
                "org.example.small maxBufferedBytes=10000")), o -> "UDP_BOUND;host=\"*\";ports=\"*\"");
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (MinaSocketEngine engine = new MinaSocketEngine(EngineConfig.defaults(), policy, AuditLog.NONE,
                HostResolver.JDK); DatagramSocket peer = new DatagramSocket(0, lo)) {
            OwnedService small = (OwnedService) engine.serviceFor(Owner.of(1, "org.example.small"));
            OwnedService other = (OwnedService) engine.serviceFor(Owner.of(2, "org.example.other"));
            UdpSocket s = small.openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
            UdpSocket o = other.openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
            int sPort = s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS).localAddress().getPort();
            int oPort = o.opened().toCompletableFuture().get(20, TimeUnit.SECONDS).localAddress().getPort();

            // 5 x 3000 bytes to each: the small bundle keeps 3 (9000 <= 10000), drops 2
            for (int i = 0; i < 5; i++) {
                byte[] d = new byte[SIZE];
                d[0] = (byte) i;
                peer.send(new DatagramPacket(d, d.length, new InetSocketAddress(lo, sPort)));
                peer.send(new DatagramPacket(d, d.length, new InetSocketAddress(lo, oPort)));
            }
            await(() -> s.droppedDatagrams(), 2, "datagrams dropped by the small bundle's socket");
            await(() -> small.buffered.get(), 3 * SIZE, "bytes buffered for the small bundle");
            await(() -> other.buffered.get(), 5 * SIZE, "bytes buffered for the other bundle");
            assertEquals(0, o.droppedDatagrams(), "the other bundle is not limited by the small one's quota");

            // reading frees the quota: the next datagram is kept
            for (int i = 0; i < 3; i++) {
                UdpMessage m = s.readable().read().toCompletableFuture().get(20, TimeUnit.SECONDS).value();
                assertEquals(i, m.data().get(0));
            }
            await(() -> small.buffered.get(), 0, "bytes buffered after reading");
            byte[] again = new byte[SIZE];
            again[0] = 9;
            peer.send(new DatagramPacket(again, again.length, new InetSocketAddress(lo, sPort)));
            assertEquals(9, s.readable().read().toCompletableFuture().get(20, TimeUnit.SECONDS).value().data().get(0));
            assertEquals(2, s.droppedDatagrams());

            // closing releases what is still buffered
            o.close().toCompletableFuture().get(20, TimeUnit.SECONDS);
            await(() -> other.buffered.get(), 0, "bytes buffered after closing");
            s.close().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}
