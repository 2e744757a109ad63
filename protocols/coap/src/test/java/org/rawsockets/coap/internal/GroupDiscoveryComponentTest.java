package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapTransportException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;

/**
 * Multicast discovery's configuration and arguments (no datagram is sent here: the multicast tests
 * run in their own network namespace, {@link MulticastDiscoveryTest}).
 */
class GroupDiscoveryComponentTest extends CoapTestSupport {

    @Test
    void defaultsAreAllCoapNodesOnPort5683WithTtl1() {
        GroupSettings s = GroupDiscoveryComponent.settings(Map.of());
        assertEquals("224.0.1.187", s.group());
        assertEquals(5683, s.port());
        assertEquals(1, s.multicastTimeToLive());
        assertEquals("0.0.0.0", s.localAddress());
        assertEquals(6000, s.windowMillis());
        assertEquals(64, s.maxResponses());
        assertEquals("224.0.1.187:5683 on the default interface", s.target());
        GroupSettings v6 = GroupDiscoveryComponent.settings(Map.of("group", "ff02::fd", "multicastInterface", "eth0",
                "port", 61616, "multicastTimeToLive", 2, "windowMillis", 1000L, "maxResponses", 3));
        assertEquals("::", v6.localAddress());
        assertEquals("[ff02::fd]:61616 on eth0", v6.target());
        assertEquals(2, v6.multicastTimeToLive());
        assertEquals(3, v6.maxResponses());
    }

    @Test
    void badValuesAreRefusedWithPropertyAndRule() {
        assertRefused(Map.of("group", "coap.example.org"), "group must be an IP address literal");
        assertRefused(Map.of("group", "192.168.1.10"), "not a multicast address");
        assertRefused(Map.of("group", "224.0.1.300"), "not an IPv4 address");
        assertRefused(Map.of("multicastTimeToLive", 0), "multicastTimeToLive must be 1..255");
        assertRefused(Map.of("multicastTimeToLive", 256), "multicastTimeToLive must be 1..255");
        assertRefused(Map.of("localAddress", "::"), "not of the group's address family");
        assertRefused(Map.of("multicastInterface", "eth0; reboot"), "not an interface name");
        assertRefused(Map.of("windowMillis", 50L), "window must be 100..600000 ms");
        assertRefused(Map.of("maxResponses", 5000), "maxResponses must be 1..1024");
    }

    static void assertRefused(Map<String, Object> props, String expected) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> GroupDiscoveryComponent.settings(props));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void argumentsAreBoundedAndAClosedServiceFails() throws Exception {
        GroupDiscoveryComponent c = new GroupDiscoveryComponent(sockets, Map.of("multicastInterface", "lo"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.discover("", Duration.ofMillis(99), 10));
        assertTrue(e.getMessage().contains("window must be 100..600000 ms, was 99 ms"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.discover("", Duration.ofSeconds(1), 0));
        assertTrue(e.getMessage().contains("maxResponses must be 1..1024, was 0"), e.getMessage());
        c.deactivate();
        CoapTransportException closed = assertThrows(CoapTransportException.class, () -> await(c.discover("")));
        assertEquals("coap discovery 224.0.1.187:5683 on lo: the discovery service is closed (configuration changed or"
                + " bundle stopping)", closed.getMessage());
    }

    @Test
    void aRefusedBindIsATypedErrorWithThePolicysReason() throws Exception {
        // the real policy with this bundle's declarations and no grant at all
        MinaSocketEngine strict = new MinaSocketEngine(EngineConfig.defaults(), new PolicyEngine(
                PolicySettings.ofGrants(false), owner -> GroupProbe.DECLARATIONS), AuditLog.NONE, HostResolver.JDK);
        try (MinaSocketEngine.OwnedSocketService s = strict.serviceFor(Owner.of(1, "org.rawsockets.coap"));
                GroupDiscoveryImpl d = GroupDiscoveryImpl.create(s, "224.0.1.187", 5683, "lo", 1)) {
            CoapTransportException e = assertThrows(CoapTransportException.class, () -> await(d.discover("rt=x")));
            assertTrue(e.getMessage().startsWith("coap discovery 224.0.1.187:5683 on lo: NON GET /.well-known/core?rt=x:"
                    + " cannot open a UDP socket bound to 0.0.0.0 (port 0): "), e.getMessage());
            assertTrue(e.getCause() instanceof NotAllowedException, String.valueOf(e.getCause()));
        } finally {
            strict.close();
        }
    }
}
