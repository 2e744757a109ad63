package org.rawsockets.print.internal;

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

    /** What a loss run did: jobs printed whole, packets the loss rules dropped, milliseconds. */
    protected record LossRun(int jobs, long dropped, long millis) {
    }

    /**
     * Jobs through the loss rules until the rules counted a drop: at least one (four with
     * {@link #FULL}), at most 10. The veth pair hands TCP to iptables as aggregated packets (GSO): a
     * 256 KiB job is a few dozen of them, and 10 % of a few dozen is sometimes none.
     */
    protected LossRun jobsThroughLoss(Job job) throws Exception {
        long start = System.nanoTime();
        int jobs = 0;
        long dropped = 0;
        while (jobs < 10 && (jobs < (FULL ? 4 : 1) || dropped == 0)) {
            job.print(jobs);
            jobs++;
            dropped = net.matched("filter", "INPUT") + net.matched("filter", "OUTPUT");
        }
        return new LossRun(jobs, dropped, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
