package org.rawsockets.dnssd.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A private network namespace with only {@code lo} (up, multicast on, 224.0.0.0/4 routed to it),
 * a private D-Bus system bus and an {@code avahi-daemon} restricted to {@code lo} (its own
 * configuration, runtime directory and services directory, bind-mounted in the daemon's own mount
 * namespace). Multicast cannot leave the namespace: it has no other interface. Everything is
 * stopped and the namespace deleted by {@link #close()}, also when a test fails, and by a shutdown
 * hook if the JVM ends first. A missing program is a failure.
 */
public final class AvahiNamespace implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    public final String name;
    public final Path dir;
    private final Path bus;
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final Thread hook;
    private final Process avahi;
    private boolean closed;

    /** The interface the client uses: {@code lo}, or with IPv6 the client end of the veth pair. */
    public final String clientInterface;

    public AvahiNamespace() throws IOException, InterruptedException {
        this(false);
    }

    /**
     * @param ipv6 IPv6 only, over a veth pair inside the namespace ({@code rsc} for the client,
     *            {@code rsa} for Avahi; link-local addresses, no duplicate address detection): the
     *            kernel does not deliver IPv6 multicast on {@code lo}, it does between a veth pair's ends
     */
    public AvahiNamespace(boolean ipv6) throws IOException, InterruptedException {
        clientInterface = ipv6 ? "rsc" : "lo";
        name = "rs-dnssd-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        Path base = Paths.get(System.getProperty("dnssd.work.dir", "target/dnssd-test")).toAbsolutePath();
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "ns-");
        hook = new Thread(this::cleanUp, "dnssd-namespace-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok = false;
        try {
            run("ip", "netns", "add", name);
            ns("ip", "link", "set", "lo", "up");
            ns("ip", "link", "set", "lo", "multicast", "on");
            ns("ip", "route", "add", "224.0.0.0/4", "dev", "lo");
            if (ipv6) {
                ns("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=0", "net.ipv6.conf.default.disable_ipv6=0",
                        "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
                ns("ip", "link", "add", "rsc", "type", "veth", "peer", "name", "rsa");
                // IPv4 addresses too: the client also runs mDNS over IPv4 (ipv6 means "also IPv6") and joins
                // 224.0.0.251 on its interface, which needs one; Avahi is IPv6-only, so answers come over IPv6
                ns("ip", "addr", "add", "10.253.0.1/30", "dev", "rsc");
                ns("ip", "addr", "add", "10.253.0.2/30", "dev", "rsa");
                ns("ip", "link", "set", "rsc", "up");
                ns("ip", "link", "set", "rsa", "up");
                for (String dev : List.of("rsc", "rsa")) {
                    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (!ns("ip", "-6", "addr", "show", "dev", dev, "scope", "link").contains("fe80::")) {
                        if (System.nanoTime() > until) {
                            throw new IOException("no IPv6 link-local address on " + dev + " within 20 s");
                        }
                        Thread.sleep(50); // polling the kernel for a condition, bounded by the deadline
                    }
                }
            }
            Files.createDirectories(dir.resolve("services"));
            Files.createDirectories(dir.resolve("run"));
            bus = Files.createTempDirectory("rs-dnssd-bus").resolve("bus.sock"); // socket paths: at most 107 bytes
            Files.writeString(dir.resolve("bus.xml"), "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus"
                    + " Configuration 1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                    + "<busconfig><type>system</type><listen>unix:path=" + bus + "</listen><auth>EXTERNAL</auth>"
                    + "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
                    + "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n");
            Process dbus = start("dbus", List.of("dbus-daemon", "--config-file=" + dir.resolve("bus.xml"), "--nofork"));
            waitFor("dbus-daemon socket " + bus, Duration.ofSeconds(30), () -> Files.exists(bus), dbus, log("dbus"));
            Files.writeString(dir.resolve("avahi.conf"), String.join("\n", "[server]", "use-ipv4=" + (ipv6 ? "no" : "yes"),
                    "use-ipv6=" + (ipv6 ? "yes" : "no"), "allow-interfaces=" + (ipv6 ? "rsa" : "lo"), "enable-dbus=yes", "ratelimit-interval-usec=1000000", "ratelimit-burst=1000",
                    "[wide-area]", "enable-wide-area=no", "[publish]", "publish-hinfo=no", "publish-workstation=no",
                    "[reflector]", "[rlimits]", ""));
            // the daemon's own mount namespace (ip netns exec makes one): its services and runtime dirs
            avahi = start("avahi", List.of("sh", "-c", "mount --bind " + dir.resolve("services") + " /etc/avahi/services"
                    + " && mount --bind " + dir.resolve("run") + " /run && exec avahi-daemon -f " + dir.resolve("avahi.conf")
                    + " --no-drop-root --no-chroot --no-rlimits"));
            waitForLog("avahi-daemon startup", avahi, "avahi", l -> l.contains("Server startup complete"));
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    /** The avahi-daemon process itself ({@code ip netns exec}, {@code env} and {@code sh} exec it in turn). */
    public Process avahi() {
        return avahi;
    }

    public String busAddress() {
        return "unix:path=" + bus;
    }

    public Path log(String what) {
        return dir.resolve(what + ".log");
    }

    /** Starts a program inside the namespace with the private bus; output to {@code <what>.log}. */
    public Process start(String what, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name, "env",
                "DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + (bus == null ? "/nonexistent" : bus)));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log(what).toFile()).start();
        processes.add(p);
        return p;
    }

    /** Runs a program inside the namespace to its end (bounded); a non-zero exit fails. */
    public String ns(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name, "env",
                "DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + (bus == null ? "/nonexistent" : bus)));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    /** A child JVM in the namespace running {@link NamespaceProbe} on {@code lo}. */
    public Probe probe(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(clientInterface));
        args.addAll(List.of(extra));
        return jvm(NamespaceProbe.class.getName(), args.toArray(String[]::new));
    }

    /** A child JVM in the namespace with this JVM's class path, running {@code mainClass}. */
    public Probe jvm(String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name,
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.logFile=System.err", mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(log("probe-stderr").toFile()).start();
        processes.add(p);
        return new Probe(p, log("probe-stderr"));
    }

    /** The child JVM: commands in, lines out (kept, so a failure shows the whole transcript). */
    public static final class Probe {
        public final Process process;
        final Path stderr;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final OutputStream in;

        Probe(Process p, Path stderr) {
            this.process = p;
            this.stderr = stderr;
            this.in = p.getOutputStream();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(l);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // process ended
                }
            }, "probe-output");
            t.setDaemon(true);
            t.start();
        }

        public void send(String command) throws IOException {
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** Waits for a line (at index {@code from} or later) matching; returns it. */
        public String await(String what, int from, Duration limit, Predicate<String> match) throws InterruptedException {
            long until = System.nanoTime() + limit.toNanos();
            synchronized (lines) {
                while (true) {
                    for (int i = from; i < lines.size(); i++) {
                        if (match.test(lines.get(i))) {
                            return lines.get(i);
                        }
                    }
                    long left = until - System.nanoTime();
                    if (left <= 0 || !process.isAlive()) {
                        throw new AssertionError(what + ": not within " + limit + (process.isAlive() ? "" : " (the probe"
                                + " ended)") + "; probe output:\n" + String.join("\n", lines) + "\nprobe stderr:\n"
                                + tail(stderr));
                    }
                    lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 500)));
                }
            }
        }

        public int mark() {
            return lines.size();
        }

        public String transcript() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }

    /** Waits for a log line of a process (no sleep-then-assert: polls the log with a deadline). */
    public void waitForLog(String what, Process p, String log, Predicate<String> match) throws IOException {
        waitFor(what, Duration.ofSeconds(60), () -> {
            try {
                return Files.exists(log(log)) && Files.readAllLines(log(log), StandardCharsets.ISO_8859_1).stream().anyMatch(match);
            } catch (IOException e) {
                return false;
            }
        }, p, log(log));
    }

    public static void waitFor(String what, Duration limit, java.util.function.BooleanSupplier done, Process p, Path log)
            throws IOException {
        long until = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(what + ": the process ended (exit " + p.exitValue() + "); log:\n" + tail(log));
            }
            if (System.nanoTime() > until) {
                throw new IllegalStateException(what + " not within " + limit + "; log:\n" + tail(log));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    public String avahiLog() {
        return tail(log("avahi"));
    }

    static String tail(Path log) {
        try {
            if (log == null || !Files.exists(log)) {
                return "(no log)";
            }
            List<String> l = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", l.subList(Math.max(0, l.size() - 80), l.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        return org.rawsockets.socket.netfault.Programs.run(java.time.Duration.ofSeconds(60), command);
    }

    /** Stops a process started here (SIGTERM, then SIGKILL after 10 s). */
    public static void stop(Process p) {
        if (p == null) {
            return;
        }
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
        for (Process p : ps) {
            stop(p);
        }
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
        if (bus != null) { // the bus socket's folder in /tmp (a short path)
            org.rawsockets.socket.testing.TempDirs.delete(bus.getParent());
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
