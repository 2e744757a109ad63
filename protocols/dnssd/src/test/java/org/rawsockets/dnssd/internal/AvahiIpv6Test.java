package org.rawsockets.dnssd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * mDNS over IPv6 (ff02::fb on [::]:5353) against Avahi restricted to IPv6: inside the test's own
 * network namespace, over a veth pair (the client on one end, avahi-daemon on the other; hop limit
 * 1, link-local addresses only), since the kernel does not deliver IPv6 multicast on lo. Avahi
 * answers over IPv6 only, so what the client finds came over IPv6.
 */
class AvahiIpv6Test {

    static final Duration LIMIT = Duration.ofSeconds(60);

    AvahiNamespace ns;
    AvahiNamespace.Probe probe;

    @BeforeEach
    void start() throws Exception {
        ns = new AvahiNamespace(true);
        probe = ns.probe("ipv6");
        probe.await("probe ready", 0, LIMIT, l -> l.equals("READY"));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (probe != null && probe.process.isAlive()) {
                probe.send("quit");
            }
        } finally {
            ns.close();
        }
    }

    @Test
    void browseAndResolveOverIpv6() throws Exception {
        Process published = ns.start("publish", List.of("avahi-publish", "-s", "IPv6 Printer", "_ipp._tcp", "8633",
                "rp=ipp/print"));
        ns.waitForLog("publish established", published, "publish", l -> l.contains("Established under name"));
        probe.send("browse _ipp._tcp");
        probe.await("FOUND over IPv6 (avahi log:\n" + ns.avahiLog() + ")", 0, LIMIT,
                l -> l.startsWith("EVENT _ipp._tcp.local FOUND IPv6 Printer._ipp._tcp.local|")
                        || l.startsWith("EVENT _ipp._tcp.local UPDATED IPv6 Printer._ipp._tcp.local|"));
        probe.send("resolve IPv6 Printer._ipp._tcp.local");
        String resolved = probe.await("resolve", 0, LIMIT, l -> l.startsWith("RESOLVED ") || l.startsWith("ERROR resolve"));
        assertTrue(resolved.startsWith("RESOLVED IPv6 Printer._ipp._tcp.local|"), resolved);
        String[] f = resolved.substring("RESOLVED ".length()).split("\\|");
        assertEquals("8633", f[2]);
        // Avahi publishes its host's link-local address on rsa: an IPv6 address, no IPv4 one
        assertTrue(f[4].startsWith("[fe80:") && !f[4].contains("."), "addresses " + f[4]);
        probe.send("status");
        String status = probe.await("status", 0, LIMIT, l -> l.startsWith("STATUS"));
        assertTrue(status.contains("malformedMessages=0"), status);
    }
}
