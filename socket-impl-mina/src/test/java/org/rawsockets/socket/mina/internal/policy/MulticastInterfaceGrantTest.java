package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NotAllowedException;

/**
 * Multicast grants restricted to a network interface ({@code ... multicast <group> <ports>
 * interface=<name>}, issue 15's "multicast group + port 5353 on a named interface"): such a grant
 * covers joins on that interface only; an unrestricted grant covers every interface; refusals suggest
 * the grant for the interface that was asked for.
 */
class MulticastInterfaceGrantTest {

    private static final String DNSSD = "org.rawsockets.dnssd";
    private static final Owner OWNER = Owner.of(9, DNSSD);

    private static PolicyEngine engine(String... grants) {
        return new PolicyEngine(PolicySettings.ofGrants(false, grants),
                o -> "MULTICAST;host=\"224.0.0.251\";ports=\"5353\",UDP_BOUND;host=\"*\";ports=\"5353\"");
    }

    private static Access join(String iface) throws Exception {
        return new Access(AccessKind.MULTICAST_JOIN, "224.0.0.251", null,
                new InetSocketAddress(InetAddress.getByName("224.0.0.251"), 5353), iface);
    }

    @Test
    void aGrantNamingAnInterfaceCoversJoinsOnItOnly() throws Exception {
        PolicyEngine p = engine(DNSSD + " multicast 224.0.0.251 5353 interface=eth0");
        assertEquals(Verdict.ALLOWED, p.decide(OWNER, join("eth0")));
        assertEquals(Verdict.NOT_GRANTED, p.decide(OWNER, join("wlan0")));
        assertEquals(Verdict.NOT_GRANTED, p.decide(OWNER, join(null)));
        NotAllowedException e = assertThrows(NotAllowedException.class, () -> p.check(OWNER, join("wlan0")));
        assertTrue(e.getMessage().contains("multicast join 224.0.0.251:5353 on interface wlan0"), e.getMessage());
        assertTrue(e.getMessage().contains("'grant.dnssd-multicast-224.0.0.251-5353 = " + DNSSD
                + " multicast 224.0.0.251 5353 interface=wlan0'"), e.getMessage());
        assertTrue(e.getMessage().contains("policy:grant dnssd-multicast-224.0.0.251-5353 " + DNSSD
                + " multicast 224.0.0.251 5353 interface=wlan0"), e.getMessage());
    }

    @Test
    void anUnrestrictedGrantCoversEveryInterface() throws Exception {
        PolicyEngine p = engine(DNSSD + " multicast 224.0.0.251 5353");
        assertEquals(Verdict.ALLOWED, p.decide(OWNER, join("eth0")));
        assertEquals(Verdict.ALLOWED, p.decide(OWNER, join("lo")));
        assertEquals(Verdict.ALLOWED, p.decide(OWNER, join(null)));
    }

    @Test
    void theInterfaceFieldIsForMulticastGrantsAndIsChecked() {
        Rule r = Rule.parseGrant("mdns", DNSSD + " multicast 224.0.0.251 5353 interface=br-lan.10");
        assertEquals("br-lan.10", r.networkInterface());
        assertEquals(DNSSD + " multicast 224.0.0.251 5353 interface=br-lan.10", r.line());
        IllegalArgumentException tcp = assertThrows(IllegalArgumentException.class,
                () -> Rule.parseGrant("x", DNSSD + " tcp * 80 interface=eth0"));
        assertTrue(tcp.getMessage().contains("interface= restricts multicast grants only"), tcp.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Rule.parseGrant("x", DNSSD + " multicast 224.0.0.251 5353 iface=eth0"));
        assertTrue(bad.getMessage().contains("the fifth field must be interface=<name>"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rule.parseGrant("x", DNSSD + " multicast 224.0.0.251 5353 interface=a/b"));
        // a bad line in the configuration allows nothing and is reported, the others still apply
        PolicySettings s = PolicySettings.from(Map.of("defaultGrants", false, "grant.bad", DNSSD + " tcp * 80 interface=eth0",
                "grant.good", DNSSD + " multicast 224.0.0.251 5353 interface=eth0"));
        assertFalse(s.errors().isEmpty());
        assertEquals(1, s.grants().size());
    }
}
