package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import org.rawsockets.smtp.ProgressListener;

/** Streams one message: raw bytes are read block by block, encoded and written with backpressure. */
final class MessageTransfer {

    /** Message chunks up to this size go out in one write with the commands before them. */
    static final int SMALL_WRITE = 64 * 1024;

    private final SmtpConnection conn;
    private final SendPipeline pipeline;
    private final String label;
    private final InputStream in;
    final long total;
    private final ProgressListener progress;
    private final MessageEncoder encoder;
    private final byte[] raw;
    long read;
    long sent;
    boolean lastSent;
    SendTask task;

    MessageTransfer(SmtpConnection conn, SendPipeline pipeline, String label, int chunkSize, InputStream in, long total,
            ProgressListener progress, boolean chunking) {
        this.conn = conn;
        this.pipeline = pipeline;
        this.label = label;
        this.in = in;
        this.total = total;
        this.progress = progress;
        this.encoder = new MessageEncoder(!chunking);
        // A small message of known size gets a small buffer (one read, EOF seen by the short count).
        this.raw = new byte[total >= 0 && total < chunkSize ? (int) total + 1 : chunkSize];
    }

    /** A small message of known size: read and encode it whole (DATA: terminator included). */
    byte[] encodeWhole() throws IOException {
        int n = readBlock();
        if (n == raw.length) {
            throw new SourceOpenException("the message is longer than its declared size of " + total
                    + " bytes; nothing was sent", null);
        }
        byte[] out = new byte[MessageEncoder.maxEncodedLength(n) + 5];
        int m = encode(n, true, out);
        read = n;
        sent = m;
        lastSent = true;
        progress.progress(read, total);
        return java.util.Arrays.copyOf(out, m);
    }

    /**
     * Encodes the first {@code n} raw bytes into {@code out}, then the end of the message if
     * {@code eof}; returns the length written.
     */
    private int encode(int n, boolean eof, byte[] out) {
        int m = encoder.encode(raw, 0, n, out, 0);
        if (eof) {
            byte[] fin = encoder.finish();
            System.arraycopy(fin, 0, out, m, fin.length);
            m += fin.length;
        }
        return m;
    }

    private int readBlock() throws IOException {
        try {
            return in.readNBytes(raw, 0, raw.length);
        } catch (IOException e) {
            throw new SourceException("reading the message failed after " + read + " bytes (" + e.getMessage()
                    + "); the connection to " + label + " is closed so the partial message is not delivered", e);
        }
    }

    /** DATA: the whole message, dot-stuffed, then CRLF.CRLF. */
    void writeDotStuffed() throws IOException {
        while (true) {
            int n = readBlock();
            boolean eof = n < raw.length;
            byte[] next = eof && task != null ? pipeline.chainNext(task) : null;
            byte[] out = new byte[MessageEncoder.maxEncodedLength(n) + (eof ? 5 : 0) + (next == null ? 0 : next.length)];
            int m = encode(n, eof, out);
            read += n;
            sent += m;
            if (next != null) {
                System.arraycopy(next, 0, out, m, next.length);
                m += next.length;
            }
            if (m > 0) {
                conn.writeBuffer(ByteBuffer.wrap(out, 0, m), "message data", !eof);
            }
            progress.progress(read, total);
            if (eof) {
                lastSent = true;
                return;
            }
        }
    }

    /**
     * BDAT: the next chunk ({@code BDAT n [LAST]} and its bytes).
     *
     * @param prefix pipelined commands to send ahead of the BDAT command (may be empty)
     */
    void writeNextChunk(byte[] prefix) throws IOException {
        int n = readBlock();
        boolean eof = n < raw.length;
        byte[] out = new byte[MessageEncoder.maxEncodedLength(n) + (eof ? 5 : 0)];
        int m = encode(n, eof, out);
        read += n;
        byte[] bdat = ("BDAT " + m + (eof ? " LAST" : "") + "\r\n").getBytes(US_ASCII);
        if (m <= SMALL_WRITE) {
            byte[] all = new byte[prefix.length + bdat.length + m];
            System.arraycopy(prefix, 0, all, 0, prefix.length);
            System.arraycopy(bdat, 0, all, prefix.length, bdat.length);
            System.arraycopy(out, 0, all, prefix.length + bdat.length, m);
            conn.writeBuffer(ByteBuffer.wrap(all), "BDAT", !eof);
        } else {
            byte[] head = new byte[prefix.length + bdat.length];
            System.arraycopy(prefix, 0, head, 0, prefix.length);
            System.arraycopy(bdat, 0, head, prefix.length, bdat.length);
            conn.write(head, "BDAT");
            conn.writeBuffer(ByteBuffer.wrap(out, 0, m), "message data", !eof);
        }
        sent += m;
        lastSent = eof;
        progress.progress(read, total);
    }

    /** The source of a message could not be opened; nothing was sent, the session stays usable. */
    static final class SourceOpenException extends IOException {
        private static final long serialVersionUID = 1L;

        SourceOpenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The message source failed while the message was being sent. */
    static final class SourceException extends IOException {
        private static final long serialVersionUID = 1L;

        SourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
