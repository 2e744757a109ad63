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
