package org.rawsockets.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;

/**
 * A trace of what {@code bin/gateway-client} does (commands, statuses, signals, how it exits), for
 * troubleshooting a session that ends unexpectedly: set {@code GATEWAY_CLIENT_TRACE} to a file and
 * the client appends to it. Off (and free) otherwise. Never records what the gateway printed or the token.
 */
final class ClientTrace {

    static final String VARIABLE = "GATEWAY_CLIENT_TRACE";

    private static final Path FILE = file();

    private ClientTrace() {
    }

    private static Path file() {
        String f = System.getenv(VARIABLE);
        return f == null || f.isBlank() ? null : Path.of(f);
    }

    static boolean on() {
        return FILE != null;
    }

    static void log(String what) {
        if (FILE == null) {
            return;
        }
        String line = Instant.now() + " [" + Thread.currentThread().getName() + "] " + what + "\n";
        synchronized (ClientTrace.class) {
            try {
                Files.writeString(FILE, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                // tracing must never change what the client does
            }
        }
    }

    /** When tracing: a shutdown hook that records every thread's stack (who started the exit). */
    static void traceShutdown() {
        if (FILE == null) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            StringBuilder b = new StringBuilder("JVM shutting down; threads:");
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                b.append("\n  ").append(e.getKey().getName()).append(e.getKey().isDaemon() ? " (daemon)" : "");
                StackTraceElement[] stack = e.getValue();
                for (int i = 0; i < Math.min(stack.length, 10); i++) {
                    b.append("\n    at ").append(stack[i]);
                }
            }
            log(b.toString());
        }, "gateway-client-trace"));
    }
}
