package org.rawsockets.coap.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private network namespace for multicast tests: only {@code lo} (up, multicast on, 224.0.0.0/4
 * routed to it), so nothing can leave. Two libcoap servers on one host answer a multicast request
 * from the same address (both bind [::]:5683, and the kernel picks 127.0.0.1 as the source of their
 * unicast answers); a client could not tell them apart. So the namespace's routing gives the
 * sockets of user 65534 the source address 127.0.0.2 (a rule by uid before the local table, whose
 * route to 127.0.0.0/8 has {@code src 127.0.0.2}), and the second server runs as that user: two
 * servers at 127.0.0.1:5683 and 127.0.0.2:5683, as two hosts on a link would be. Everything is
 * stopped and the namespace deleted by {@link #close()} (and by a shutdown hook if the JVM ends
 * first). A missing program is a failure.
 */
final class CoapNamespace implements AutoCloseable {

    static final String GROUP = "224.0.1.187";
    /** The uid whose sockets send from 127.0.0.2. */
    static final int SECOND_HOST_UID = 65534;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    final String name;
    final Path dir;
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final Thread hook;
    private boolean closed;

    CoapNamespace() throws IOException, InterruptedException {
        name = "rs-coap-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        Path base = Paths.get("target/coap-mcast-test").toAbsolutePath();
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "ns-");
        hook = new Thread(this::cleanUp, "coap-namespace-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok = false;
        try {
            run("ip", "netns", "add", name);
            ns("ip", "link", "set", "lo", "up");
            ns("ip", "link", "set", "lo", "multicast", "on");
            ns("ip", "route", "add", "224.0.0.0/4", "dev", "lo");
            ns("ip", "rule", "add", "pref", "100", "lookup", "local");
            ns("ip", "rule", "del", "pref", "0", "lookup", "local");
            ns("ip", "rule", "add", "pref", "10", "uidrange", SECOND_HOST_UID + "-" + SECOND_HOST_UID, "lookup", "102");
            ns("ip", "route", "add", "local", "127.0.0.0/8", "dev", "lo", "src", "127.0.0.2", "table", "102");
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    /**
     * Starts {@code coap-server-notls} on port 5683 joined to {@code group} on {@code lo}, as root
     * (answers from 127.0.0.1) or as the second host (answers from 127.0.0.2); returns when it joined.
     */
    Process server(String what, boolean secondHost, String group) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        if (secondHost) {
            cmd.addAll(List.of("setpriv", "--reuid=" + SECOND_HOST_UID, "--regid=" + SECOND_HOST_UID, "--clear-groups"));
        }
        cmd.addAll(List.of("coap-server-notls", "-g", group, "-G", "lo", "-p", "5683", "-v", "7"));
        Process p = start(what, cmd);
        waitForLog(what + " joined " + group, p, what, l -> l.contains("added mcast group " + group + ":5683 i/f lo"));
        return p;
    }

    Path log(String what) {
        return dir.resolve(what + ".log");
    }

    String logText(String what) {
        return tail(log(what));
    }

    private Process start(String what, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log(what).toFile()).start();
        processes.add(p);
        return p;
    }

    /** A child JVM in the namespace running {@link GroupProbe} with {@code args}; its output once it ended. */
    String probe(String... args) throws IOException, InterruptedException {
        return probe(java.util.Map.of(), args);
    }

    /** {@link #probe(String...)} with environment variables added. */
    String probe(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name,
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.logFile=System.err",
                GroupProbe.class.getName()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "probe-", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the probe did not end within 120 s: " + String.join(" ", args));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("the probe exited " + p.exitValue() + "; output:\n" + text + "\nstderr:\n" + tail(err));
        }
        return text;
    }

    void waitForLog(String what, Process p, String log, java.util.function.Predicate<String> match) {
        Waits.until(30_000, what, () -> {
            if (!p.isAlive()) {
                throw new AssertionError(what + ": the process ended (exit " + p.exitValue() + "); log:\n" + tail(log(log)));
            }
            try {
                return Files.exists(log(log))
                        && Files.readAllLines(log(log), StandardCharsets.ISO_8859_1).stream().anyMatch(match);
            } catch (IOException e) {
                return false;
            }
        }, () -> tail(log(log)));
    }

    String ns(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    static String tail(Path log) {
        try {
            if (log == null || !Files.exists(log)) {
                return "(no log)";
            }
            List<String> l = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", l.subList(Math.max(0, l.size() - 60), l.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        return org.rawsockets.socket.netfault.Programs.run(java.time.Duration.ofSeconds(60), command);
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        List<Process> ps;
        synchronized (processes) {
            ps = new ArrayList<>(processes);
        }
        Collections.reverse(ps);
        ps.forEach(CoapNamespace::stop);
        try {
            // anything still running in our namespace was started by this test (a child of a child)
            String pids = run("ip", "netns", "pids", name).strip();
            for (String pid : pids.isEmpty() ? new String[0] : pids.split("\\s+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the namespace may not exist (failed early)
        }
        try {
            run("ip", "netns", "del", name);
        } catch (IOException | InterruptedException | RuntimeException e) {
            // not created
        }
    }

    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down
        }
    }
}
