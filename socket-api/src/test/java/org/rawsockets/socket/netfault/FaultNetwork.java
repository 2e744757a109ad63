package org.rawsockets.socket.netfault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network the test creates for fault injection (issue 21): a network namespace holding the PEER
 * (a real server started with {@link #start}), joined to the root namespace, where the client JVM
 * runs, by a veth pair with the two addresses of a private /30 of 10.200.0.0/16 that no interface of
 * the machine uses yet. Nothing is routed beyond the pair: the packets stay on this machine.
 * Faults are applied inside the namespace, on the peer's end: packet loss, a blackhole and a TCP
 * reset with {@code iptables} (statistic, DROP, REJECT --reject-with tcp-reset), duplication with
 * the TEE target, the MTU with {@code ip link}, a frozen peer with SIGSTOP/SIGCONT, delay with
 * jitter (and so reordering) by {@link #delay}: the kernel's netem queueing discipline would do it,
 * but this kernel has none ({@code tc qdisc add ... netem} answers "Specified qdisc kind is
 * unknown"), so iptables' NFQUEUE target hands every packet to a small program that lets it go late.
 *
 * <p>Unique names per run (pid and a counter); {@link #close()} stops the peers and deletes the
 * namespace (the veth pair goes with it) and {@link #dir}, also from a shutdown hook when the JVM ends first. A
 * missing program is a failure.
 */
public final class FaultNetwork implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    public final String name;
    public final String hostInterface;
    public final String peerInterface;
    /** The root namespace's (the client's) address on the pair. */
    public final String hostAddress;
    /** The peer's address in the namespace. */
    public final String peerAddress;
    public final Path dir;
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final Thread hook;
    private boolean closed;
    /** The running {@link #delay} program, null when there is none. */
    private NfqDelay delay;
    private String delayReport = "";

    public FaultNetwork() throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        int id = COUNTER.incrementAndGet();
        name = "rs-fault-" + pid + "-" + id;
        String tag = Long.toString(pid, 36) + Integer.toString(id, 36); // interface names: at most 15 bytes
        hostInterface = "rsf" + tag + "h";
        peerInterface = "rsf" + tag + "p";
        dir = Files.createTempDirectory("rs-fault-");
        hook = new Thread(this::cleanUp, "fault-network-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok = false;
        try {
            int subnet = freeSubnet(pid, id);
            String prefix = "10.200." + (subnet / 64) + ".";
            hostAddress = prefix + ((subnet % 64) * 4 + 1);
            peerAddress = prefix + ((subnet % 64) * 4 + 2);
            run("ip", "netns", "add", name);
            run("ip", "link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface);
            run("ip", "link", "set", peerInterface, "netns", name);
            run("ip", "addr", "add", hostAddress + "/30", "dev", hostInterface);
            run("ip", "link", "set", hostInterface, "up");
            ns("ip", "addr", "add", peerAddress + "/30", "dev", peerInterface);
            ns("ip", "link", "set", peerInterface, "up");
            ns("ip", "link", "set", "lo", "up");
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    /** A /30 index (0..16383) of 10.200.0.0/16 that no address of this machine is in. */
    private static int freeSubnet(long pid, int id) throws IOException, InterruptedException {
        String used = run("ip", "-4", "-o", "addr", "show");
        for (int k = 0; k < 16384; k++) {
            int s = (int) ((pid * 131 + id * 7919L + k) % 16384);
            String net = "10.200." + (s / 64) + ".";
            boolean taken = false;
            for (int h = 0; h < 4 && !taken; h++) {
                taken = used.contains(" " + net + ((s % 64) * 4 + h) + "/");
            }
            if (!taken) {
                return s;
            }
        }
        throw new IOException("no free /30 in 10.200.0.0/16 on this machine");
    }

    /** Starts {@code command} in the namespace; its output goes to {@code <what>.log} in {@link #dir}. */
    public Process start(String what, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log(what).toFile()).start();
        processes.add(p);
        return p;
    }

    public Path log(String what) {
        return dir.resolve(what + ".log");
    }

    /** The output of {@link #start}ed program {@code what} so far. */
    public String output(String what) {
        try {
            return Files.exists(log(what)) ? Files.readString(log(what)) : "";
        } catch (IOException e) {
            return "(cannot read " + log(what) + ": " + e + ")";
        }
    }

    /** Runs {@code command} in the namespace to its end (bounded); a non-zero exit fails. */
    public String ns(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    // ------------------------------------------------------------------ faults

    /** Drops each packet to and from the peer with {@code percent} % probability. */
    public void loss(int percent) throws IOException, InterruptedException {
        String p = String.valueOf(percent / 100.0);
        ns("iptables", "-A", "INPUT", "-i", peerInterface, "-m", "statistic", "--mode", "random", "--probability", p,
                "-j", "DROP");
        ns("iptables", "-A", "OUTPUT", "-o", peerInterface, "-m", "statistic", "--mode", "random", "--probability",
                p, "-j", "DROP");
    }

    /** Every packet to and from the peer vanishes (a cable pulled, a firewall dropping). */
    public void blackhole() throws IOException, InterruptedException {
        ns("iptables", "-I", "INPUT", "-i", peerInterface, "-j", "DROP");
        ns("iptables", "-I", "OUTPUT", "-o", peerInterface, "-j", "DROP");
    }

    /** The next TCP segments the client sends to {@code port} are answered with a reset. */
    public void resetTcp(int port) throws IOException, InterruptedException {
        ns("iptables", "-I", "INPUT", "-i", peerInterface, "-p", "tcp", "--dport", String.valueOf(port), "-j", "REJECT",
                "--reject-with", "tcp-reset");
    }

    /** Every packet the peer sends reaches the client twice (a TEE clone to the client's address). */
    public void duplicate() throws IOException, InterruptedException {
        ns("iptables", "-t", "mangle", "-A", "POSTROUTING", "-o", peerInterface, "-j", "TEE", "--gateway", hostAddress);
    }

    /** The MTU of both ends of the pair. */
    public void mtu(int bytes) throws IOException, InterruptedException {
        run("ip", "link", "set", hostInterface, "mtu", String.valueOf(bytes));
        ns("ip", "link", "set", peerInterface, "mtu", String.valueOf(bytes));
    }

    /**
     * The peer stops (SIGSTOP): its kernel still accepts, nothing is read or answered. Stops {@code p}
     * and every process it started (a server that runs each connection in a process of its own, as
     * sshd or lpd, stops whole), and returns once every thread of them is stopped: kill(2) returns when
     * the signal is queued, and a thread running on the other core stops a moment later (a request sent
     * in that moment was answered by a "frozen" slave once in CI).
     */
    public static void freeze(Process p) throws IOException, InterruptedException {
        List<ProcessHandle> all = tree(p);
        for (ProcessHandle h : all) {
            signal("-STOP", h);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : all) {
            while (!stopped(h.pid())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("process " + h.pid() + " not stopped 10 s after SIGSTOP");
                }
                Thread.sleep(5);
            }
        }
    }

    /** Resumes what {@link #freeze} stopped (SIGCONT to {@code p} and every process it started). */
    public static void thaw(Process p) throws IOException, InterruptedException {
        for (ProcessHandle h : tree(p)) {
            signal("-CONT", h);
        }
    }

    /** Sends a signal; a process that ended meanwhile (a connection's child that closed) is no failure. */
    private static void signal(String signal, ProcessHandle h) throws IOException, InterruptedException {
        try {
            run("kill", signal, String.valueOf(h.pid()));
        } catch (IOException | RuntimeException e) {
            if (h.isAlive()) {
                throw e;
            }
        }
    }

    private static List<ProcessHandle> tree(Process p) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(p.toHandle());
        p.toHandle().descendants().forEach(all::add);
        return all;
    }

    /** Every thread of process {@code pid} stopped (or the process gone). */
    private static boolean stopped(long pid) throws IOException {
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        try (java.util.stream.Stream<Path> ts = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) ts::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException gone) {
                    continue; // a thread that ended
                }
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                // Z/X: a child that ended and is not reaped yet runs nothing either
                if (state != 'T' && state != 't' && state != 'Z' && state != 'X') {
                    return false;
                }
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            return true; // the process ended
        }
        return true;
    }

    /** The NFQUEUE queue of {@link #delay} (queues are per namespace: this one is the test's own). */
    private static final int DELAY_QUEUE = 7;

    /**
     * Delays every packet to and from the peer by {@code meanMillis} ± {@code jitterMillis}
     * (uniform, both ways: a round trip gains twice that), so packets closer together than the jitter
     * leave in another order: netem's {@code delay MEAN JITTER}. By {@code nfq-delay.py} (a resource
     * of this package, run with python3 in the namespace): iptables' NFQUEUE target hands each
     * packet to it, and it gives the packet its verdict late; the packets stay in the kernel.
     * {@link #clear()} removes the rules first, then lets what it holds through.
     *
     * @param seed of the delays drawn, for a run that can be repeated
     */
    public void delay(int meanMillis, int jitterMillis, long seed) throws IOException, InterruptedException {
        if (delay != null) {
            throw new IllegalStateException("a delay is already set on " + name);
        }
        delay = NfqDelay.start(name, dir, DELAY_QUEUE, meanMillis, jitterMillis, seed);
        ns("iptables", "-A", "INPUT", "-i", peerInterface, "-j", "NFQUEUE", "--queue-num", String.valueOf(DELAY_QUEUE));
        ns("iptables", "-A", "OUTPUT", "-o", peerInterface, "-j", "NFQUEUE", "--queue-num", String.valueOf(DELAY_QUEUE));
    }

    /**
     * What the last {@link #delay} program reported when {@link #clear()} stopped it: "released N
     * reordered M maxlate L" (packets let through, how many after one with a later id, its own
     * largest lateness in ms); empty before.
     */
    public String delayReport() {
        return delayReport;
    }

    /**
     * Fails unless the last {@link #delay}, stopped by {@link #clear()}, let through at least
     * {@code queued} packets (what its rules counted before) and some of them after one with a later
     * id: the delay took effect and reordered (a test whose delay did nothing must not pass).
     */
    public void checkDelayReordered(long queued) {
        NfqDelay.checkReordered(delayReport, queued);
    }

    /** Lifts every fault: rules flushed, MTU 1500, a {@link #delay} stopped (what it held let through). */
    public void clear() throws IOException, InterruptedException {
        ns("iptables", "-F");
        ns("iptables", "-t", "mangle", "-F");
        mtu(1500);
        if (delay != null) {
            NfqDelay d = delay;
            delay = null;
            delayReport = d.stop();
        }
    }

    /** Packets the rules of {@code chain} in {@code table} matched so far (proof a fault took effect). */
    public long matched(String table, String chain) throws IOException, InterruptedException {
        long sum = 0;
        for (String line : ns("iptables", "-t", table, "-L", chain, "-v", "-n", "-x").split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length > 2 && w[0].matches("[0-9]+")) {
                sum += Long.parseLong(w[0]);
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------ resources

    /**
     * Threads of this JVM, without the JDK's "process reaper" threads: every {@code ip}/{@code
     * iptables} this harness runs may start one, and they linger up to 60 s idle, so counting them
     * would make a leak check wait for the JDK rather than for the code under test.
     */
    public static int threads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!t.getName().startsWith("process reaper")) {
                n++;
            }
        }
        return n;
    }

    /** Open file descriptors of this JVM (sockets included). */
    public static long fds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        return Programs.run(Duration.ofSeconds(30), command);
    }

    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        if (delay != null) {
            delay.kill();
        }
        for (Process p : processes) {
            try {
                thaw(p);
            } catch (IOException | InterruptedException e) {
                // ended already
            }
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            run("ip", "netns", "del", name);
        } catch (IOException | InterruptedException e) {
            // not created
        }
        try {
            run("ip", "link", "del", hostInterface);
        } catch (IOException | InterruptedException e) {
            // gone with the namespace
        }
        // the peers' configuration and logs (read by the tests before they close the network)
        org.rawsockets.socket.testing.TempDirs.delete(dir);
    }

    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is ending
        }
    }
}
