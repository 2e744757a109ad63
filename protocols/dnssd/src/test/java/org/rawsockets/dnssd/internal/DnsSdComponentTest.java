package org.rawsockets.dnssd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rawsockets.dnssd.DnsSdNetworkException;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** The component's configuration rules, and a refused socket reaching the caller as a typed error. */
class DnsSdComponentTest {

    @Test
    void defaultsAndValidValues() {
        MdnsSettings d = DnsSdComponent.settings(Map.of());
        assertEquals("", d.networkInterface());
        assertEquals(255, d.multicastTimeToLive());
        assertEquals(Duration.ofSeconds(5), d.timeout());
        MdnsSettings s = DnsSdComponent.settings(Map.of("multicastInterface", "eth0", "multicastTimeToLive", "1",
                "timeoutMillis", "2000", "maxCacheRecords", 100, "ipv6", "true"));
        assertEquals("eth0", s.networkInterface());
        assertEquals(1, s.multicastTimeToLive());
        assertEquals(100, s.maxCacheRecords());
        assertTrue(s.ipv6());
    }

    @Test
    void badValuesNameThePropertyAndTheRule() {
        IllegalArgumentException ttl = assertThrows(IllegalArgumentException.class,
                () -> DnsSdComponent.settings(Map.of("multicastTimeToLive", 0)));
        assertTrue(ttl.getMessage().contains("multicastTimeToLive") && ttl.getMessage().contains("1..255"), ttl.getMessage());
        IllegalArgumentException iface = assertThrows(IllegalArgumentException.class,
                () -> DnsSdComponent.settings(Map.of("multicastInterface", "eth0; rm -rf")));
        assertTrue(iface.getMessage().contains("multicastInterface"), iface.getMessage());
        assertThrows(ConfigRejectedException.class, () -> DnsSdComponent.settings(Map.of("timeoutMillis", "soon")));
    }

    @Test
    void aRefusedBindFailsTheBrowseWithTheGrantToAdd() throws Exception {
        // the real policy with nothing granted beyond loopback: binding 0.0.0.0:5353 is refused
        MinaSocketEngine engine = PolicyEngines.withGrants();
        try (MdnsClient c = new MdnsClient(engine.serviceFor(Owner.of(7, "org.rawsockets.dnssd")),
                MdnsSettings.defaults().withInterface("lo"))) {
            var b = c.browse("_ipp._tcp");
            DnsSdNetworkException e = assertThrows(DnsSdNetworkException.class, () -> b.next(Duration.ofSeconds(30)));
            assertInstanceOf(NotAllowedException.class, e.getCause());
            assertTrue(e.getMessage().contains("cannot bind UDP port 5353"), e.getMessage());
            assertTrue(e.getMessage().contains("0.0.0.0"), e.getMessage());
            ExecutionException r = assertThrows(ExecutionException.class,
                    () -> c.resolve("x._ipp._tcp.local").toCompletableFuture().get(30, TimeUnit.SECONDS));
            assertInstanceOf(DnsSdNetworkException.class, r.getCause());
            assertFalse(c.status().open());
        } finally {
            engine.close();
        }
    }
}
