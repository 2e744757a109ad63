package org.rawsockets.socket.mina;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * Every received byte arrives once and in order, under a load that keeps the receive path's
 * switches busy: per round a fresh engine (small buffers on one I/O thread, then the defaults), four
 * connections at once, each 8 MiB from a JDK peer in pieces of 1 B to 70 KB, half of them read
 * through the InputStream view with random lengths and half by {@code readInto} with a random
 * buffer and minimum. The peer's bytes are a keyed pseudo-random sequence, so a byte from the wrong
 * place (another connection, a later read, a reused buffer) is told apart from the right one and
 * the failure says where it came from.
 *
 * <p>The normal build runs {@value #DEFAULT_ROUNDS} rounds (a few seconds). The soak:
 * {@code ./mvnw -B -pl socket-impl-mina -am verify -Dtest=ReceiveOrderSoakTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dsoak.rounds=2000}. It found the receive path handing a
 * reader the bytes of MINA's next read before those of its current one about once in 500
 * connections (see {@code ReadPathSwitchOrderTest}).
 */
@Timeout(value = 6, unit = TimeUnit.HOURS)
class ReceiveOrderSoakTest {

    private static final int DEFAULT_ROUNDS = 12;
    private static final int CONNECTIONS = 4;
    private static final long BYTES = 8L * 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Byte {@code i} of the stream with key {@code key} (SplitMix64 of both). */
    static byte at(long key, long i) {
        long z = i + (key << 40) + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (byte) (z ^ (z >>> 31));
    }

    @Test
    void everyByteArrivesOnceAndInOrder() throws Exception {
        int rounds = Integer.getInteger("soak.rounds", DEFAULT_ROUNDS);
        ExecutorService threads = Executors.newFixedThreadPool(2 * CONNECTIONS);
        try {
            for (int r = 0; r < rounds; r++) {
                for (boolean small : new boolean[] {true, false}) {
                    MinaContractFixture fx = small ? new MinaContractFixture(MinaContractFixture.SMALL)
                            : new MinaContractFixture();
                    try {
                        SocketService service = fx.open("soak");
                        List<Future<String>> all = new ArrayList<>();
                        for (int k = 0; k < CONNECTIONS; k++) {
                            long key = r * 100L + k;
                            boolean blocking = (k & 1) == 0;
                            all.add(threads.submit(() -> transfer(service, threads, key, blocking)));
                        }
                        for (Future<String> f : all) {
                            assertEquals("ok", f.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS),
                                    "round " + r + (small ? " (small buffers, one I/O thread)" : " (defaults)"));
                        }
                    } finally {
                        fx.close();
                    }
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** One connection's transfer; "ok" or what went wrong. */
    private static String transfer(SocketService service, ExecutorService threads, long key, boolean blocking)
            throws Exception {
        long total = BYTES + key % 1000;
        try (ServerSocket ss = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            TcpSocket socket = service.openTcp("127.0.0.1", ss.getLocalPort(), TcpSocketOptions.builder().build());
            socket.opened().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try (Socket peer = ss.accept()) {
                peer.setTcpNoDelay(true);
                Future<?> writer = threads.submit(() -> {
                    Random rnd = new Random(key);
                    byte[] b = new byte[70_000];
                    try (OutputStream out = peer.getOutputStream()) {
                        for (long i = 0; i < total;) {
                            int n = (int) Math.min(total - i,
                                    rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(b.length) : 1 + rnd.nextInt(300));
                            for (int j = 0; j < n; j++) {
                                b[j] = at(key, i + j);
                            }
                            out.write(b, 0, n);
                            out.flush();
                            i += n;
                        }
                        peer.shutdownOutput();
                    }
                    return null;
                });
                String result = blocking ? readAllBlocking(socket, key, total) : readAllInto(socket, key, total);
                writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                return result;
            } finally {
                socket.close();
            }
        }
    }

    private static String readAllBlocking(TcpSocket socket, long key, long total) throws Exception {
        Random rnd = new Random(key ^ 77);
        InputStream in = socket.readable().inputStream(WAIT);
        byte[] buf = new byte[12_345];
        long i = 0;
        int n;
        while ((n = in.read(buf, 0, 1 + rnd.nextInt(buf.length))) >= 0) {
            for (int j = 0; j < n; j++) {
                if (buf[j] != at(key, i + j)) {
                    return mismatch("InputStream.read", key, total, i + j, java.util.Arrays.copyOfRange(buf, j,
                            Math.min(n, j + 32)));
                }
            }
            i += n;
        }
        return i == total ? "ok" : "stream " + key + " ended after " + i + " of " + total + " bytes";
    }

    private static String readAllInto(TcpSocket socket, long key, long total) throws Exception {
        Random rnd = new Random(key ^ 77);
        ByteBuffer dst = ByteBuffer.allocate(100_000);
        long i = 0;
        while (true) {
            dst.clear().limit(1 + rnd.nextInt(dst.capacity()));
            int min = 1 + rnd.nextInt(Math.min(dst.remaining(), 2000));
            int n = socket.readable().readInto(dst, min, WAIT).toCompletableFuture().get(WAIT.toSeconds() * 2,
                    TimeUnit.SECONDS);
            if (n < 0) {
                break;
            }
            if (n != dst.position()) {
                return "readInto counted " + n + " but dst's position moved to " + dst.position();
            }
            for (int j = 0; j < n; j++) {
                if (dst.get(j) != at(key, i + j)) {
                    byte[] got = new byte[Math.min(32, n - j)];
                    dst.get(j, got);
                    return mismatch("readInto", key, total, i + j, got);
                }
            }
            i += n;
        }
        return i == total ? "ok" : "stream " + key + " ended after " + i + " of " + total + " bytes";
    }

    /** Where the wrong bytes came from: an offset of this stream or of another of the round's. */
    private static String mismatch(String how, long key, long total, long offset, byte[] got) {
        StringBuilder b = new StringBuilder(how + " of stream " + key + ": wrong byte at offset " + offset + ", got "
                + HexFormat.of().formatHex(got) + "; these bytes are at:");
        long round = key - key % 100;
        int found = 0;
        for (long k = round; k < round + CONNECTIONS && found < 5; k++) {
            for (long o = 0; o < total + 1000 && found < 5; o++) {
                int q = 0;
                while (q < got.length && at(k, o + q) == got[q]) {
                    q++;
                }
                if (q == got.length) {
                    b.append(" stream ").append(k).append(" offset ").append(o);
                    found++;
                }
            }
        }
        return found == 0 ? b.append(" nowhere (not the peers' bytes)").toString() : b.toString();
    }
}
