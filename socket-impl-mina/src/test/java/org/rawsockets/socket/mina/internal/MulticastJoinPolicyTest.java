package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;

/**
 * A join goes to the policy with the interface it is made on: a grant restricted to {@code lo}
 * lets a socket whose multicastInterface is lo join, one restricted to another interface does not,
 * and the refusal names the interface and the grant for it. The group (a local-scope 239/8 one) is
 * joined on lo only, TTL 1; nothing is sent.
 */
class MulticastJoinPolicyTest {

    private static final String BUNDLE = "org.example.mdns";

    private static MinaSocketEngine engine(String joinGrant) {
        PolicyEngine policy = new PolicyEngine(PolicySettings.from(Map.of("defaultGrants", true, "grant.join", joinGrant)),
                o -> "UDP_BOUND;host=\"*\";ports=\"*\",MULTICAST;host=\"*\";ports=\"*\"");
        return new MinaSocketEngine(EngineConfig.defaults(), policy, AuditLog.NONE, HostResolver.JDK);
    }

    /** Joins 239.255.77.1 on lo from a socket bound to 127.0.0.1; the join's failure, or null. */
    private static Throwable join(String joinGrant) throws Exception {
        try (MinaSocketEngine engine = engine(joinGrant);
                MinaSocketEngine.OwnedSocketService svc = engine.serviceFor(Owner.of(4, BUNDLE))) {
            UdpSocket u = svc.openUdp(UdpSocketOptions.builder().local("127.0.0.1", 0).multicastInterface("lo")
                    .multicastTimeToLive(1).build());
            u.opened().toCompletableFuture().get(10, TimeUnit.SECONDS);
            try {
                u.multicast().joinGroup("239.255.77.1").toCompletableFuture().get(10, TimeUnit.SECONDS);
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            } finally {
                u.close();
            }
        }
    }

    @Test
    void theJoinIsDecidedWithItsInterface() throws Exception {
        Throwable onLo = join(BUNDLE + " multicast 239.255.77.1 * interface=lo");
        assertTrue(!(onLo instanceof NotAllowedException), "a grant for lo covers a join on lo: " + onLo);
        Throwable elsewhere = join(BUNDLE + " multicast 239.255.77.1 * interface=eth7");
        NotAllowedException e = assertInstanceOf(NotAllowedException.class, elsewhere);
        assertTrue(e.getMessage().contains("on interface lo"), e.getMessage());
        assertTrue(e.getMessage().contains(BUNDLE + " multicast 239.255.77.1 ") && e.getMessage().contains(" interface=lo'"),
                e.getMessage());
        assertEquals(null, join(BUNDLE + " multicast 239.255.77.1 *"), "an unrestricted grant covers every interface");
    }
}
