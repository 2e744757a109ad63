package org.rawsockets.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The keyboard of an attached client's Gogo session. A command gets no input (end of stream at once,
 * as before) unless it asks for it through the session variable {@value #HOOK}, a
 * {@code Function<String, String>}: {@code apply("raw")} asks the client to send its keystrokes (its
 * terminal in raw mode when it has one: the answer is {@code "raw"}; a client whose standard input is a
 * pipe sends that as it comes: {@code "line"}; a client that cannot: {@code "none"}, and the input ends
 * at once); {@code apply("off")} stops it (so does the end of the command).
 * <p>
 * Bounded: at most {@value #CAPACITY} bytes wait here; the connection's reader thread waits for room
 * (so a command that stops reading stops the client's keystrokes), and reads block until bytes, the
 * client's end of input, or the end of the request come. A read ends at an interrupt
 * ({@link InterruptedIOException}), so a command's input thread can always be stopped.
 */
final class AttachInput extends InputStream {

    /** The session variable a command asks for input with. */
    static final String HOOK = "gateway.terminal";
    static final int CAPACITY = 64 * 1024;

    /** Sends a {@link AttachProtocol#MODE} frame to the client. */
    interface ModeSender {
        void send(String mode) throws IOException;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final byte[] ring = new byte[CAPACITY];
    private final ModeSender client;
    private int head;
    private int size;
    private boolean requested;
    private boolean ended;
    private boolean closed;
    /** What the client can do, from its {@link AttachProtocol#TERMINAL} frame: raw, line or none. */
    private volatile String capability = "none";

    AttachInput(ModeSender client) {
        this.client = client;
    }

    /** The client's terminal (raw) or piped input (line), as its last {@link AttachProtocol#TERMINAL} frame said. */
    void capability(String mode) {
        capability = mode;
    }

    /** The {@value #HOOK} function the session offers its commands. */
    Function<String, String> hook() {
        return this::request;
    }

    private String request(String mode) {
        if ("off".equals(mode)) {
            stop();
            return "off";
        }
        String answer = capability;
        if (answer.equals("none")) {
            return answer;
        }
        lock.lock();
        try {
            requested = true;
            ended = false;
            head = 0;
            size = 0;
        } finally {
            lock.unlock();
        }
        try {
            client.send(answer);
        } catch (IOException e) {
            end();
            return "none";
        }
        return answer;
    }

    /**
     * The command ended or asked for no more input: further client input is dropped, reads end, the
     * client gives its terminal back.
     */
    void stop() {
        boolean was;
        lock.lock();
        try {
            was = requested;
            requested = false;
            size = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (was) {
            try {
                client.send("off");
            } catch (IOException gone) {
                // the client left
            }
        }
    }

    /** Bytes from the client; waits for room while the command reads; dropped when no input was asked for. */
    void offer(byte[] b) throws InterruptedException {
        int off = 0;
        lock.lock();
        try {
            while (off < b.length) {
                while (requested && !closed && size == CAPACITY) {
                    changed.await();
                }
                if (!requested || closed) {
                    return;
                }
                int n = Math.min(b.length - off, CAPACITY - size);
                for (int i = 0; i < n; i++) {
                    ring[(head + size + i) % CAPACITY] = b[off + i];
                }
                size += n;
                off += n;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The client's input ended. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (requested && !closed && size == 0 && !ended) {
                changed.await();
            }
            if (size == 0) {
                return -1;
            }
            int n = Math.min(len, size);
            for (int i = 0; i < n; i++) {
                b[off + i] = ring[(head + i) % CAPACITY];
            }
            head = (head + n) % CAPACITY;
            size -= n;
            changed.signalAll();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the attached client's input");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** The connection ended: reads and writers waiting here return. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
