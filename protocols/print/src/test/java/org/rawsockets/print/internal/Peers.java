package org.rawsockets.print.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Starts the independent peers of the print tests as processes on 127.0.0.1 free ports, each in its
 * own directory under target/print-test, and stops them. A missing program is a failure.
 */
public final class Peers {

    private Peers() {
    }

    public static Path workDir(String name) throws IOException {
        Path base = Paths.get(System.getProperty("print.work.dir", "target/print-test"));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, name + "-");
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits for a condition with a deadline (no sleep-then-assert). */
    public static void waitFor(String what, Duration limit, BooleanSupplier done, Process p, Path log) throws IOException {
        waitFor(what, limit, done, p, log, () -> "");
    }

    /** As {@link #waitFor(String, Duration, BooleanSupplier, Process, Path)}; a timeout's message adds {@code state}. */
    public static void waitFor(String what, Duration limit, BooleanSupplier done, Process p, Path log,
            java.util.function.Supplier<String> state) throws IOException {
        long until = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(what + ": the process ended (exit " + p.exitValue() + "); log:\n"
                        + tail(log));
            }
            if (System.nanoTime() > until) {
                throw new IllegalStateException(what + " not within " + limit + "; " + state.get() + " log:\n" + tail(log));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    public static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A TCP listener on {@code port} in the namespace of {@code net} ({@code /proc/net/tcp} there, state
     * LISTEN): no probe connection, which a sink or daemon would take for a client.
     */
    public static boolean listeningIn(org.rawsockets.socket.netfault.FaultNetwork net, int port) {
        try {
            String hex = String.format(java.util.Locale.ROOT, ":%04X 00000000:0000 0A", port);
            return net.ns("cat", "/proc/net/tcp").contains(hex);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static String tail(Path log) {
        try {
            if (log == null || !Files.exists(log)) {
                return "(no log)";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    public static void stop(Process p) {
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static Process start(Path dir, Path log, List<String> command, String... env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        for (int i = 0; i + 1 < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        return pb.start();
    }

    /** Runs a command to its end (bounded), returning its output; a non-zero exit fails. */
    public static String run(Path dir, Duration limit, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "run-", ".out");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not end within " + limit + ":\n" + tail(out));
        }
        String text = Files.readString(out, StandardCharsets.ISO_8859_1);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    /** A one-page PDF. */
    public static byte[] pdf() {
        String stream = "BT /F1 24 Tf 72 720 Td (Raw Sockets) Tj ET";
        String[] objs = {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"};
        StringBuilder b = new StringBuilder("%PDF-1.4\n");
        List<Integer> offs = new ArrayList<>();
        for (int i = 0; i < objs.length; i++) {
            offs.add(b.length());
            b.append(i + 1).append(" 0 obj\n").append(objs[i]).append("\nendobj\n");
        }
        offs.add(b.length());
        b.append("4 0 obj\n<< /Length ").append(stream.length()).append(" >>\nstream\n").append(stream)
                .append("\nendstream\nendobj\n");
        int x = b.length();
        b.append("xref\n0 5\n0000000000 65535 f \n");
        for (int o : offs) {
            b.append(String.format("%010d 00000 n \n", o));
        }
        b.append("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n").append(x).append("\n%%EOF\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
