package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * What outlives a bundle in the policy keeps no {@link Bundle} object of it (issue 21's churn: a
 * redeployed bundle is a new bundle; each kept Bundle of an uninstalled one kept its revision, manifest
 * and jar index, one per redeploy, found by launcher's {@code ChurnProcessIT}): audit entries keep the
 * owner detached, and the declaration cache drops owners whose bundle is uninstalled.
 */
class UninstalledBundleRetentionTest {

    @Test
    void auditEntriesKeepTheOwnerWithoutItsBundle() {
        AtomicInteger state = new AtomicInteger(Bundle.ACTIVE);
        Owner owner = Owner.of(bundle(42, "org.example.plc", state));
        AuditLog.Entry e = entry(owner.forOrigin("https://hmi.example.com"));
        assertNull(e.owner().bundle(), "the entry holds no Bundle");
        assertEquals("org.example.plc [42] for origin https://hmi.example.com", e.owner().toString());
        assertEquals(42, e.owner().bundleId());
        assertEquals("origin:https://hmi.example.com", e.owner().principal());

        RingAuditLog ring = new RingAuditLog(10);
        try {
            ring.record(entry(owner));
            List<AuditLog.Entry> kept = ring.recent(10);
            assertEquals(1, kept.size());
            assertNull(kept.get(0).owner().bundle());
            assertEquals("org.example.plc [42]", kept.get(0).owner().toString());
        } finally {
            ring.close();
        }
        Owner outside = Owner.of(7, "org.example.test");
        assertSame(outside, outside.detached(), "an owner without a bundle is its own detached form");
    }

    @Test
    void theDeclarationCacheDropsOwnersOfUninstalledBundles() {
        PolicyEngine engine = new PolicyEngine(PolicySettings.defaults());
        AtomicInteger firstState = new AtomicInteger(Bundle.ACTIVE);
        Owner first = Owner.of(bundle(40, "org.example.plc", firstState));
        engine.declarations(first);
        assertTrue(engine.cachesDeclarationsOf(first));

        // The bundle is removed from deploy/ and dropped in again: uninstalled, a new bundle (new id).
        firstState.set(Bundle.UNINSTALLED);
        Owner second = Owner.of(bundle(41, "org.example.plc", new AtomicInteger(Bundle.ACTIVE)));
        engine.declarations(second);
        assertTrue(engine.cachesDeclarationsOf(second));
        assertFalse(engine.cachesDeclarationsOf(first), "the uninstalled bundle's owner is no longer cached");
    }

    private static AuditLog.Entry entry(Owner owner) {
        return new AuditLog.Entry(Instant.now(), owner, 1, AccessKind.TCP_CONNECT, "127.0.0.1:502",
                new InetSocketAddress("127.0.0.1", 502), AuditLog.Outcome.OPENED, "", 0, 0);
    }

    private static Bundle bundle(long id, String bsn, AtomicInteger state) {
        return (Bundle) Proxy.newProxyInstance(UninstalledBundleRetentionTest.class.getClassLoader(),
                new Class<?>[] { Bundle.class }, (p, m, a) -> switch (m.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> bsn;
                    case "getLastModified" -> 1L;
                    case "getState" -> state.get();
                    case "getHeaders" -> new Hashtable<String, String>();
                    case "hashCode" -> (int) id;
                    case "equals" -> p == a[0];
                    case "toString" -> bsn + " [" + id + "]";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
