package org.rawsockets.socket.contract;

import static org.rawsockets.socket.contract.Stages.PROMPT;
import static org.rawsockets.socket.contract.Stages.await;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;

import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpReadable;
import org.rawsockets.socket.TcpWritable;

/** Byte helpers: deterministic payloads, digests, and reading/writing through the socket API. */
public final class Bytes {
    private Bytes() {
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** {@code n} pseudo-random bytes from {@code seed} (reproducible). */
    public static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** Copies a received chunk without moving its position. */
    public static byte[] toArray(ByteBuffer chunk) {
        ByteBuffer d = chunk.duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return b;
    }

    /** Reads until the end of the stream, at most {@code max} bytes, each read bounded by {@code perRead}. */
    public static byte[] readToEnd(TcpReadable readable, int max, Duration perRead) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            ReadResult<ByteBuffer> r = await(readable.read(), perRead, "read (after " + out.size() + " bytes)");
            if (r.done()) {
                return out.toByteArray();
            }
            out.writeBytes(toArray(r.value()));
            if (out.size() > max) {
                throw new AssertionError("more than " + max + " bytes before the end of the stream");
            }
        }
    }

    public static byte[] readToEnd(TcpReadable readable, int max) {
        return readToEnd(readable, max, PROMPT);
    }

    /** Reads exactly {@code n} bytes (fails on a premature end; extra bytes in the last chunk fail too). */
    public static byte[] readExactly(TcpReadable readable, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < n) {
            ReadResult<ByteBuffer> r = await(readable.read(), "read (after " + out.size() + " of " + n + " bytes)");
            if (r.done()) {
                throw new AssertionError("end of stream after " + out.size() + " of " + n + " bytes");
            }
            out.writeBytes(toArray(r.value()));
        }
        if (out.size() != n) {
            throw new AssertionError("expected " + n + " bytes, received " + out.size());
        }
        return out.toByteArray();
    }

    /**
     * Sends {@code total} pseudo-random bytes to an echo peer and reads them back concurrently,
     * keeping at most {@code window} bytes in flight; fails unless the SHA-256 of what came back equals
     * that of what was sent. The window matters with socat as the echo: socat relays in one thread
     * and its blocking write into its own PIPE deadlocks once more than a pipe buffer (64 KiB) is in
     * flight while its socket write is blocked (seen with TLS: socat stuck in anon_pipe_write).
     */
    public static void windowedEcho(org.rawsockets.socket.TcpSocket socket, long total, int chunk, int window)
            throws Exception {
        java.util.concurrent.Semaphore credit = new java.util.concurrent.Semaphore(window);
        MessageDigest sent = sha256();
        java.util.concurrent.CompletableFuture<Void> writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
            byte[] block = random(chunk, total);
            try {
                for (long off = 0; off < total; off += chunk) {
                    int len = (int) Math.min(chunk, total - off);
                    if (!credit.tryAcquire(len, PROMPT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        throw new AssertionError("the echo returned nothing for " + PROMPT + " at offset " + off);
                    }
                    block[0] = (byte) (off / chunk);
                    byte[] part = java.util.Arrays.copyOf(block, len);
                    sent.update(part);
                    await(socket.writable().write(part), "write at offset " + off);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        });
        MessageDigest received = sha256();
        long got = 0;
        while (got < total) {
            ReadResult<ByteBuffer> r = await(socket.readable().read(), "read after " + got + " of " + total);
            if (r.done()) {
                throw new AssertionError("end of stream after " + got + " of " + total + " bytes");
            }
            int n = r.value().remaining();
            got += n;
            received.update(r.value());
            credit.release(n);
        }
        writer.get(PROMPT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        if (got != total) {
            throw new AssertionError("echoed " + got + " bytes, sent " + total);
        }
        String a = hex(sent.digest());
        String b = hex(received.digest());
        if (!a.equals(b)) {
            throw new AssertionError("sha-256 of the echo " + b + " differs from what was sent " + a);
        }
    }

    /** Writes {@code data} in chunks of {@code chunk} bytes, waiting for each write's stage. */
    public static void writeAll(TcpWritable writable, byte[] data, int chunk) {
        for (int off = 0; off < data.length; off += chunk) {
            int len = Math.min(chunk, data.length - off);
            byte[] part = new byte[len];
            System.arraycopy(data, off, part, 0, len);
            await(writable.write(part), "write at offset " + off);
        }
    }
}
