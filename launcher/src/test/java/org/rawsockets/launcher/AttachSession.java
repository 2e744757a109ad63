package org.rawsockets.launcher;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test's own session in a running headless gateway over the attach channel ({@link AttachProtocol}:
 * what {@code bin/gateway-client} speaks), without a client JVM per command: one Gogo session for the
 * connection, commands run one after the other. A command that does not answer within its limit
 * closes the session (the waiting read then fails) rather than blocking the test.
 */
final class AttachSession implements AutoCloseable {

    /** What one command printed and its exit status (0 = success). */
    record Reply(int status, String out, String err) {
        boolean ok() {
            return status == 0;
        }

        @Override
        public String toString() {
            return "status " + status + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    private final SocketChannel ch;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "attach-session-watchdog");
        t.setDaemon(true);
        return t;
    });

    private AttachSession(SocketChannel ch) {
        this.ch = ch;
    }

    /** Connects to the gateway in {@code home}, retrying until its socket and token exist (at most {@code wait}). */
    static AttachSession open(Path home, Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            Path socket = AttachProtocol.socket(home);
            try {
                Path target = Files.isSymbolicLink(socket) ? Files.readSymbolicLink(socket) : socket;
                SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(target));
                byte[] token = Files.readAllBytes(AttachProtocol.tokenFile(home));
                AttachProtocol.write(ch, AttachProtocol.TOKEN, token, 0, token.length);
                AttachProtocol.Frame answer = AttachProtocol.read(ch);
                if (answer != null && answer.type() == AttachProtocol.ACCEPTED) {
                    return new AttachSession(ch);
                }
                ch.close();
                last = new IOException("attach refused: " + (answer == null ? "closed" : answer.text()));
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100); // polling for the gateway's socket, bounded by the deadline
        }
        throw new IOException("could not attach to the gateway in " + home + " within " + wait, last);
    }

    /** Runs a Gogo script; fails when it does not answer within {@code limit} (the session is then closed). */
    synchronized Reply run(String script, Duration limit) throws IOException {
        ScheduledFuture<?> alarm = watchdog.schedule(() -> {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing is all we want
            }
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
        try {
            AttachProtocol.write(ch, AttachProtocol.COMMAND, script);
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            while (true) {
                AttachProtocol.Frame f = AttachProtocol.read(ch);
                if (f == null) {
                    throw new IOException("the gateway closed the attach session during '" + script + "'");
                }
                switch (f.type()) {
                case AttachProtocol.OUT -> out.append(f.text());
                case AttachProtocol.ERR -> err.append(f.text());
                case AttachProtocol.STATUS -> {
                    return new Reply(f.status(), out.toString(), err.toString());
                }
                default -> throw new IOException("unexpected attach frame '" + (char) f.type() + "'");
                }
            }
        } catch (IOException e) {
            if (!ch.isOpen()) {
                throw new IOException("'" + script + "' did not answer within " + limit + " (session closed)", e);
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    @Override
    public void close() throws IOException {
        watchdog.shutdownNow();
        ch.close();
    }
}
