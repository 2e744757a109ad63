package org.rawsockets.print.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.netfault.FaultNetwork;
import org.rawsockets.socket.netfault.Leaks;

/**
 * The shared part of the print clients' fault suites (issue 21; {@code ipp}, {@code lpd} and
 * {@code raw} {@code NetworkFaultsTest}): one socket engine for the class (its I/O threads started
 * before any count), per test a fault network with the suite's peer in it ({@link #startPeer}) and
 * the leak baseline taken after, and the loss loop they share. {@code -Dfaults.full=true} (profile
 * {@code faults}) makes each suite's runs larger.
 */
public abstract class PrintFaultsTestBase {

    protected static final boolean FULL = Boolean.getBoolean("faults.full");
    protected static final int MIB = 1024 * 1024;
    /**
     * The clients' time limit in the loss runs. 10 % loss both ways now and then costs a fresh connection
     * its SYN (sent again after 1 s, then 2 s), and a connection whose SYN was sent again starts with a
     * 3 s retransmission timeout (RFC 6298, 5.7), doubled at every further loss of the same segment:
     * sampled with {@code ss} (2026-12-06), a 256 KiB IPP job spent 3 s in SYN-SENT and then 5 s on its
     * first flight (RTO 2,944 ms), and one job took 27.6 s after 4 retransmission timeouts and no
     * retransmission by the printer. The 30 s limit used before failed once (stop 31) on such a job:
     * TCP's own recovery, not a stall of the client. 90 s leaves it room; the runs stay bounded.
     */
    protected static final Duration LOSS_LIMIT = Duration.ofSeconds(90);

    protected static MinaSocketEngine engine;
    protected static MinaSocketEngine.OwnedSocketService sockets;
    protected FaultNetwork net;
    protected Leaks leaks;

    @BeforeAll
    static void engine() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.print"));
        Leaks.startIoThreads(sockets);
    }

    @AfterAll
    static void stopEngine() {
        sockets.close();
        engine.close();
    }

    @BeforeEach
    void network() throws Exception {
        net = new FaultNetwork();
        startPeer();
        leaks = Leaks.baseline(sockets::sockets);
    }

    @AfterEach
    void closeNetwork() {
        try {
            stopPeer();
        } finally {
            net.close();
        }
    }

    /** Starts the suite's peer in {@link #net}. */
    protected abstract void startPeer() throws Exception;

    /** Prints what the peer logged and stops it (after every test, also a failed one). */
    protected abstract void stopPeer();

    /** One job of a loss run, the {@code index}th. */
    protected interface Job {
        void print(int index) throws Exception;
    }

    /**
     * {@code Tcp: RetransSegs} and {@code TcpExt: TCPTimeouts} from the text of {@code /proc/net/snmp} and
     * {@code /proc/net/netstat} (header line, then value line, per prefix); -1 where missing.
     */
    static long[] tcpCounters(String text) {
        long[] out = {-1, -1};
        String[] lines = text.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            String[] names = lines[i].trim().split("\\s+");
            String[] values = lines[i + 1].trim().split("\\s+");
            if (names.length != values.length || names.length < 2 || !names[0].equals(values[0])
                    || !values[1].matches("-?\\d+")) {
                continue;
            }
            for (int k = 1; k < names.length; k++) {
                if (names[0].equals("Tcp:") && names[k].equals("RetransSegs")) {
                    out[0] = Long.parseLong(values[k]);
                } else if (names[0].equals("TcpExt:") && names[k].equals("TCPTimeouts")) {
                    out[1] = Long.parseLong(values[k]);
                }
            }
        }
        return out;
    }

    /** What a loss run did: jobs printed whole, packets the loss rules dropped, milliseconds. */
    protected record LossRun(int jobs, long dropped, long millis) {
    }

    /**
     * Jobs through the loss rules until the rules counted a drop: at least one (four with
     * {@link #FULL}), at most 10. The veth pair hands TCP to iptables as aggregated packets (GSO): a
     * 256 KiB job is a few dozen of them, and 10 % of a few dozen is sometimes none. Each job's time is
     * printed with the TCP retransmissions and retransmission timeouts it cost on this host (the
     * client's side) and in the namespace (the peer's): a slow job under loss shows whether TCP's
     * back-off waited (timeouts) or something else did.
     */
    protected LossRun jobsThroughLoss(Job job) throws Exception {
        long start = System.nanoTime();
        int jobs = 0;
        long dropped = 0;
        while (jobs < 10 && (jobs < (FULL ? 4 : 1) || dropped == 0)) {
            long[] host = tcpCounters(Files.readString(Path.of("/proc/net/snmp"))
                    + Files.readString(Path.of("/proc/net/netstat")));
            long[] peer = tcpCounters(net.ns("cat", "/proc/net/snmp", "/proc/net/netstat"));
            long t0 = System.nanoTime();
            job.print(jobs);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long[] host2 = tcpCounters(Files.readString(Path.of("/proc/net/snmp"))
                    + Files.readString(Path.of("/proc/net/netstat")));
            long[] peer2 = tcpCounters(net.ns("cat", "/proc/net/snmp", "/proc/net/netstat"));
            System.out.println("  job " + jobs + ": " + ms + " ms; TCP retransmitted segments / retransmission"
                    + " timeouts: client side +" + (host2[0] - host[0]) + " / +" + (host2[1] - host[1]) + ", peer side +"
                    + (peer2[0] - peer[0]) + " / +" + (peer2[1] - peer[1]));
            jobs++;
            dropped = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        }
        return new LossRun(jobs, dropped, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
