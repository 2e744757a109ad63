package org.rawsockets.launcher;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The operator channel between {@code bin/gateway-client} and a running gateway: frames of
 * {@code [type: 1 byte][length: 4 bytes, big endian][payload]} over a Unix domain socket.
 * <p>
 * This is the launcher's own local control channel, outside OSGi, not protocol traffic: the rule
 * that protocol bundles open no sockets themselves (and use no {@code java.net}) does not apply.
 * <p>
 * Client to gateway: {@link #TOKEN} (first frame, the content of {@code data/attach.token}),
 * {@link #COMMAND} (a Gogo script, run statement by statement in the connection's session),
 * {@link #INTERRUPT} (Ctrl-C: interrupt the running command), {@link #TERMINAL} (before a command:
 * the client's terminal type and size, or that its input is a pipe), {@link #INPUT} and
 * {@link #INPUT_END} (its keystrokes, only while a command asked for them). Gateway to client:
 * {@link #ACCEPTED} or {@link #REFUSED} (message), then per command {@link #OUT} and {@link #ERR}
 * chunks, {@link #MODE} when the command wants input ({@code raw}, {@code line}) or no more
 * ({@code off}), and one {@link #STATUS} (4-byte exit status; input stops with it).
 */
final class AttachProtocol {

    /** The socket, in the owner-only (0700) {@code data/} folder, itself 0600. */
    static final String SOCKET = "data/gateway.sock";
    /** A random token, 0600, rewritten at every start; the first frame of every client. */
    static final String TOKEN_FILE = "data/attach.token";

    static final byte TOKEN = 'T';
    static final byte COMMAND = 'C';
    static final byte INTERRUPT = 'I';
    static final byte ACCEPTED = 'A';
    static final byte REFUSED = 'R';
    static final byte OUT = 'O';
    static final byte ERR = 'E';
    static final byte STATUS = 'X';
    /** Client: {@code "<TERM> <columns> <rows>"} of its terminal, or {@code "pipe"}: its input can be sent as it comes. */
    static final byte TERMINAL = 'W';
    /** Client: bytes typed (raw mode) or read from its standard input (line mode). */
    static final byte INPUT = 'D';
    /** Client: its input ended. */
    static final byte INPUT_END = 'Z';
    /** Gateway: {@code raw} / {@code line}: send input (raw: terminal in raw mode); {@code off}: stop, terminal back. */
    static final byte MODE = 'M';

    /** Longest frame either side accepts (a command script, a chunk of output, a message). */
    static final int MAX_FRAME = 256 * 1024;

    /** The exit status of a command interrupted by the client (128 + SIGINT, as a shell reports it). */
    static final int STATUS_INTERRUPTED = 130;

    private AttachProtocol() {
    }

    static Path socket(Path home) {
        return home.resolve(SOCKET);
    }

    static Path tokenFile(Path home) {
        return home.resolve(TOKEN_FILE);
    }

    /** One frame. */
    record Frame(byte type, byte[] payload) {

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int status() {
            return ByteBuffer.wrap(payload).getInt();
        }
    }

    /** Writes one frame; callers serialise concurrent writers on the channel. */
    static void write(SocketChannel ch, byte type, byte[] payload, int off, int len) throws IOException {
        if (len > MAX_FRAME) {
            throw new IOException("attach frame of " + len + " bytes exceeds " + MAX_FRAME);
        }
        ByteBuffer header = ByteBuffer.allocate(5).put(type).putInt(len).flip();
        ByteBuffer body = ByteBuffer.wrap(payload, off, len);
        ByteBuffer[] both = { header, body };
        while (header.hasRemaining() || body.hasRemaining()) {
            ch.write(both);
        }
    }

    static void write(SocketChannel ch, byte type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        write(ch, type, b, 0, b.length);
    }

    static void writeStatus(SocketChannel ch, int status) throws IOException {
        write(ch, STATUS, ByteBuffer.allocate(4).putInt(status).array(), 0, 4);
    }

    /**
     * Reads one frame (blocking).
     *
     * @return the frame, or {@code null} at end of stream before a frame started
     * @throws IOException a frame cut short, too long, or a read error
     */
    static Frame read(SocketChannel ch) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5);
        if (!readFully(ch, header, true)) {
            return null;
        }
        header.flip();
        byte type = header.get();
        int len = header.getInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("attach frame length " + len + " out of range (0.." + MAX_FRAME + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(len);
        readFully(ch, body, false);
        return new Frame(type, body.array());
    }

    private static boolean readFully(SocketChannel ch, ByteBuffer buf, boolean eofAllowedAtStart) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                if (eofAllowedAtStart && buf.position() == 0) {
                    return false;
                }
                throw new EOFException("attach connection closed in the middle of a frame");
            }
        }
        return true;
    }

    /**
     * Sends frames from one thread of its own, so that the threads producing them (a command and
     * Gogo's pipe threads, which Ctrl-C interrupts) never touch the channel: interrupting a thread
     * inside a channel operation would close the channel. At most {@value #QUEUE} frames wait; a
     * producer waits for room (backpressure from a slow client) and stops waiting when the
     * connection is gone (an interrupt does not drop output: it is handed back after the frame is queued).
     */
    static final class FrameWriter {
        static final int QUEUE = 64;
        private static final Frame END = new Frame((byte) 0, new byte[0]);

        private final SocketChannel ch;
        private final java.util.concurrent.BlockingQueue<Frame> queue = new java.util.concurrent.ArrayBlockingQueue<>(QUEUE);
        private final Thread thread;
        private volatile boolean failed;

        FrameWriter(SocketChannel ch, String name) {
            this.ch = ch;
            this.thread = new Thread(this::drain, name);
            this.thread.setDaemon(true);
            this.thread.start();
        }

        private void drain() {
            try {
                while (true) {
                    Frame f = queue.take();
                    if (f == END) {
                        return;
                    }
                    AttachProtocol.write(ch, f.type(), f.payload(), 0, f.payload().length);
                }
            } catch (IOException | InterruptedException e) {
                failed = true;
                queue.clear();
            }
        }

        void send(byte type, byte[] payload) throws IOException {
            Frame f = new Frame(type, payload);
            // An interrupt (Ctrl-C reaching the command's threads) must not lose output such as the
            // "interrupted" line itself: keep waiting for room, bounded by the connection, and
            // hand the interrupt back afterwards.
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        if (queue.offer(f, 200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                            break;
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                    if (failed || !ch.isOpen()) {
                        throw new IOException("the attached client is gone");
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failed) {
                throw new IOException("the attached client is gone");
            }
        }

        void sendStatus(int status) throws IOException {
            send(STATUS, ByteBuffer.allocate(4).putInt(status).array());
        }

        /** Sends what is queued (at most {@code millis}), then stops the writer thread. */
        void finish(long millis) {
            if (!failed) {
                queue.offer(END);
            }
            try {
                thread.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An output stream that sends what is written as {@code type} frames (unbuffered: streams as it comes). */
    static final class FrameOutputStream extends OutputStream {
        private final FrameWriter writer;
        private final byte type;

        FrameOutputStream(FrameWriter writer, byte type) {
            this.writer = writer;
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, 16 * 1024);
                writer.send(type, java.util.Arrays.copyOfRange(b, off, off + n));
                off += n;
                len -= n;
            }
        }
    }
}
