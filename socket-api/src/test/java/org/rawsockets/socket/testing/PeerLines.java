package org.rawsockets.socket.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A peer process's standard output followed line by line on a daemon thread, for peers that announce
 * their port with a line {@code LISTENING <port>} (the node {@code smtp-server} scripts of
 * protocols/smtp's tests, the launcher's process tests and the soak). Every line goes to the test's
 * handler, in order, the {@code LISTENING} line included; {@link #awaitListening} waits for the port.
 * The thread ends with the output (the process ended or closed it).
 */
public final class PeerLines {

    private static final String LISTENING = "LISTENING ";

    /** The announced port; -1 once the output ended without one. */
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    private PeerLines() {
    }

    /**
     * Starts following {@code process}'s standard output on a daemon thread named {@code threadName},
     * handing each line to {@code onLine} (on that thread).
     */
    public static PeerLines follow(Process process, String threadName, Consumer<String> onLine) {
        PeerLines lines = new PeerLines();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    onLine.accept(line);
                    if (line.startsWith(LISTENING)) {
                        lines.port.complete(Integer.parseInt(line.substring(LISTENING.length()).trim()));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            lines.port.complete(-1);
        }, threadName);
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /** Whether {@code line} is the port's announcement (for handlers that keep the other lines). */
    public static boolean isListening(String line) {
        return line.startsWith(LISTENING);
    }

    /**
     * The port of the first {@code LISTENING <port>} line, waiting up to {@code limit}; -1 when the
     * output ended without one or none came within {@code limit}.
     */
    public int awaitListening(Duration limit) throws InterruptedException {
        try {
            return port.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return -1;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot happen: the port is never completed exceptionally", e);
        }
    }
}
