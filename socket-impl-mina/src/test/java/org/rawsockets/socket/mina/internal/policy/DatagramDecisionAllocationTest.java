package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The inbound-datagram policy check runs on the I/O thread for every datagram: it must allocate
 * nothing (no explanation, no message, no list, no copy of the address), allowed or refused.
 * Measured with the JVM's per-thread allocation counter around 100,000 decisions, after a warm-up
 * that lets the JIT compile the path.
 */
class DatagramDecisionAllocationTest {

    private static final int N = 100_000;
    /** Slack for the counter itself and a stray allocation by the JIT/runtime; 100k decisions that allocated even 8 bytes each would show 800 KB. */
    private static final long SLACK = 16 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static PolicyEngine engine() {
        Map<String, Object> config = Map.of("defaultGrants", true,
                "grant.lan", "org.example.* udp-bound 192.168.1.0/24 *",
                "grant.dns", "org.example.syslog udp-bound *.example.org 53",
                "grant.v6", "org.example.syslog udp-bound 2001:db8::/32 514",
                "grant.other", "org.example.other tcp * 443");
        return new PolicyEngine(PolicySettings.from(config), o -> "UDP_BOUND;host=\"*\";ports=\"*\"");
    }

    private static long allocatedBy(Runnable r) {
        long tid = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        r.run();
        return THREADS.getThreadAllocatedBytes(tid) - before;
    }

    private static void decide(PolicyEngine e, Owner owner, InetSocketAddress src, boolean expected, int n) {
        for (int i = 0; i < n; i++) {
            if (e.allowsDatagramFrom(owner, src, null) != expected) {
                throw new AssertionError("decision changed for " + src);
            }
        }
    }

    @Test
    void allowedAndRefusedDatagramDecisionsAllocateNothing() throws Exception {
        assertTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "this JVM must count per-thread allocations (HotSpot does)");
        PolicyEngine e = engine();
        Owner owner = new Owner(4711, "org.example.syslog", null); // a bundle id beyond the Long cache
        InetSocketAddress lan = new InetSocketAddress(InetAddress.getByName("192.168.1.20"), 514);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 514);
        InetSocketAddress loop = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5000);
        InetSocketAddress far = new InetSocketAddress(InetAddress.getByName("8.8.8.8"), 53);
        InetSocketAddress meta = new InetSocketAddress(InetAddress.getByName("64:ff9b::a9fe:a9fe"), 514);
        for (int round = 0; round < 20; round++) { // warm-up: compile the path
            decide(e, owner, lan, true, 10_000);
            decide(e, owner, v6, true, 10_000);
            decide(e, owner, loop, true, 10_000);
            decide(e, owner, far, false, 10_000);
            decide(e, owner, meta, false, 10_000);
        }
        long refusalsBefore = e.refusals();
        long allowed = allocatedBy(() -> decide(e, owner, lan, true, N));
        long allowedV6 = allocatedBy(() -> decide(e, owner, v6, true, N));
        long allowedLoopback = allocatedBy(() -> decide(e, owner, loop, true, N));
        long refused = allocatedBy(() -> decide(e, owner, far, false, N));
        long refusedEmbedded = allocatedBy(() -> decide(e, owner, meta, false, N));
        String figures = "bytes allocated by " + N + " decisions: allowed IPv4 " + allowed + ", allowed IPv6 " + allowedV6
                + ", allowed loopback " + allowedLoopback + ", refused " + refused + ", refused NAT64 metadata "
                + refusedEmbedded;
        System.out.println(figures);
        assertTrue(allowed < SLACK && allowedV6 < SLACK && allowedLoopback < SLACK && refused < SLACK
                && refusedEmbedded < SLACK, figures);
        assertEquals(2L * N, e.refusals() - refusalsBefore, "every refused datagram is counted");
    }

    @Test
    void theCheapDecisionAgreesWithTheExplanation() throws Exception {
        PolicyEngine e = engine();
        Owner owner = Owner.of(5, "org.example.syslog");
        for (String ip : new String[] { "192.168.1.20", "192.168.2.20", "2001:db8::7", "2001:db9::7", "127.0.0.1",
                "::1", "169.254.169.254", "64:ff9b::a9fe:a9fe", "::ffff:0:7f00:1" }) {
            InetSocketAddress src = new InetSocketAddress(InetAddress.getByName(ip), 514);
            Decision d = e.explain(owner, new Access(AccessKind.UDP_RECEIVE, ip, null, src));
            assertEquals(d.allowed(), e.allowsDatagramFrom(owner, src, null), d.toString());
            assertEquals(d.allowed(), e.decide(owner, new Access(AccessKind.UDP_RECEIVE, ip, null, src)).allowed());
        }
        assertFalse(e.allowsDatagramFrom(Owner.of(6, "com.example.other"),
                new InetSocketAddress(InetAddress.getByName("192.168.1.20"), 514), null), "com.example.other declares UDP but has no grant for it");
    }
}
