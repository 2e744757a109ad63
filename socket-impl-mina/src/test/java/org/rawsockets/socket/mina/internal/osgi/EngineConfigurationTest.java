package org.rawsockets.socket.mina.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/**
 * The engine configuration cannot take networking down: an invalid value is rejected with one line
 * naming PID, field, value and rule, the last good configuration stays published (the engine, its
 * service and its sockets untouched, no descriptor taken), a valid change republishes it.
 */
class EngineConfigurationTest {

    static final String PID = EngineConfigComponent.PID;

    /** A BundleContext that records registrations, as the framework would hold them. */
    static final class Registry {
        final List<Object> active = new ArrayList<>();
        int registrations;

        BundleContext context() {
            return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                    new Class<?>[] { BundleContext.class }, (p, m, args) -> {
                        if (m.getName().equals("registerService")) {
                            Object service = args[1];
                            synchronized (this) {
                                active.add(service);
                                registrations++;
                            }
                            return registration(service, (Dictionary<?, ?>) args[2]);
                        }
                        return null;
                    });
        }

        private ServiceRegistration<?> registration(Object service, Dictionary<?, ?> props) {
            return (ServiceRegistration<?>) Proxy.newProxyInstance(ServiceRegistration.class.getClassLoader(),
                    new Class<?>[] { ServiceRegistration.class }, (p, m, args) -> {
                        if (m.getName().equals("unregister")) {
                            synchronized (this) {
                                if (!active.remove(service)) {
                                    throw new IllegalStateException("already unregistered");
                                }
                            }
                        }
                        return null;
                    });
        }

        synchronized EngineConfig published() {
            assertEquals(1, active.size(), "one EngineConfig service registered: " + active);
            return (EngineConfig) active.get(0);
        }
    }

    static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("service.pid", PID);
        m.put("felix.fileinstall.filename", "file:/opt/gateway/etc/org.rawsockets.socket.mina.cfg");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void everyInvalidValueIsRejectedNamingFieldValueAndRule() {
        int max = EngineConfig.maxIoThreads();
        Object[][] cases = {
            { "ioThreads", "0", "out of range; rule: a whole number in 1.." + max + " (4 per core" },
            { "ioThreads", "abc", "not a whole number; rule: a whole number in 1.." + max },
            { "ioThreads", "100000", "out of range; rule: a whole number in 1.." + max },
            { "ioThreads", String.valueOf(max + 1), "out of range" },
            { "connectTimeoutMillis", "-5", "out of range; rule: a whole number in 1..3600000" },
            { "closeTimeoutMillis", "0", "out of range; rule: a whole number in 1..3600000" },
            { "closeTimeoutMillis", "30s", "not a whole number" },
            { "maxDatagramSize", "70000", "out of range; rule: a whole number in 1..65507" },
            { "highWaterMark", "1k", "not a whole number; rule: a whole number in 1024..1073741824" },
            { "udpReceiveQueue", "0", "out of range" },
            { "acceptQueue", "-1", "out of range" },
            { "resolverThreads", "65", "out of range; rule: a whole number in 1..64" },
            { "lowWaterMark", "1.5", "not a whole number" },
        };
        for (Object[] c : cases) {
            EngineConfigComponent.Rejected r = assertThrows(EngineConfigComponent.Rejected.class,
                    () -> EngineConfigComponent.read(props(c[0], c[1])), c[0] + "=" + c[1]);
            String expected = "field '" + c[0] + "' = '" + c[1] + "': " + c[2];
            assertTrue(r.getMessage().contains(expected), "expected '" + expected + "' in: " + r.getMessage());
        }
        EngineConfigComponent.Rejected r = assertThrows(EngineConfigComponent.Rejected.class,
                () -> EngineConfigComponent.read(props("lowWaterMark", "300000", "highWaterMark", "262144")));
        assertTrue(r.getMessage().contains("field 'lowWaterMark' = '300000': not below highWaterMark (262144); rule:"
                + " a whole number in 0..highWaterMark-1"), r.getMessage());
        r = assertThrows(EngineConfigComponent.Rejected.class,
                () -> EngineConfigComponent.read(props("ioThreads", "0", "maxDatagramSize", "70000")));
        assertTrue(r.getMessage().contains("'ioThreads'") && r.getMessage().contains("'maxDatagramSize'"),
                "every bad field is named: " + r.getMessage());

        EngineConfig ok = EngineConfigComponent.read(props("ioThreads", "1", "connectTimeoutMillis", 5000L,
                "highWaterMark", " 131072 ", "lowWaterMark", 1024, "closeTimeoutMillis", "2000"));
        assertEquals(1, ok.ioThreads());
        assertEquals(5000, ok.connectTimeout().toMillis());
        assertEquals(2000, ok.closeTimeout().toMillis());
        assertEquals(30_000, EngineConfigComponent.defaults().closeTimeout().toMillis(), "closeTimeoutMillis default");
        assertEquals(131072, ok.highWaterMark());
        assertEquals(EngineConfigComponent.defaults().maxDatagramSize(), ok.maxDatagramSize());
    }

    /**
     * Bad configurations while a bundle has a connection open: one rejection line each, nothing
     * republished, no descriptor taken, the connection and new opens keep working; then a valid
     * change is republished (DS restarts the engine with it) and everything is released at the end.
     */
    @Test
    void aBadConfigurationKeepsTheLastGoodOneAndTheSocketServiceUp() throws Exception {
        long fdsAtStart = ComponentsTest.openFds();
        Registry registry = new Registry();
        EngineConfigComponent config = new EngineConfigComponent(registry.context(), props("ioThreads", "1"));
        assertNull(config.lastRejection());
        EngineConfig good = registry.published();
        assertEquals(1, good.ioThreads());

        // what DS does with the published configuration
        SocketEngineComponent engine = new SocketEngineComponent(good, SocketPolicy.ALLOW_ALL, AuditLog.NONE);
        SocketServiceComponent service = new SocketServiceComponent(engine,
                ComponentsTest.usedBy(ComponentsTest.bundle(7, "protocol.bundle")));
        try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(20_000);
            TcpSocket open = service.openTcp("127.0.0.1", peer.getLocalPort(), TcpSocketOptions.defaults());
            open.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            Socket remote = peer.accept();
            long fdsBefore = ComponentsTest.openFds();

            Object[][] bad = { { "ioThreads", "0" }, { "ioThreads", "abc" }, { "ioThreads", "100000" },
                { "lowWaterMark", "300000" }, { "connectTimeoutMillis", "-1" }, { "maxDatagramSize", "70000" } };
            for (Object[] b : bad) {
                config.modified(props(b[0], b[1]));
                String line = config.lastRejection();
                assertNotNull(line);
                assertTrue(line.startsWith("configuration rejected: PID " + PID
                        + " (/opt/gateway/etc/org.rawsockets.socket.mina.cfg) field '" + b[0] + "' = '" + b[1] + "': "),
                        line);
                assertTrue(line.contains("; rule: ") && line.contains("keeping the last good configuration (ioThreads=1,"),
                        line);
                assertEquals(1, registry.registrations, "a rejected configuration republishes nothing");
                assertEquals(good, registry.published());
                long fdsDuring = ComponentsTest.openFds();
                assertTrue(fdsDuring <= fdsBefore + 2, b[0] + "=" + b[1] + ": " + fdsBefore
                        + " file descriptors before, " + fdsDuring + " during");
            }

            // the open connection is untouched, a new one opens
            open.writable().write(ByteBuffer.wrap("still up".getBytes(StandardCharsets.US_ASCII)))
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            InputStream in = remote.getInputStream();
            assertEquals("still up", new String(in.readNBytes(8), StandardCharsets.US_ASCII));
            TcpSocket another = service.openTcp("127.0.0.1", peer.getLocalPort(), TcpSocketOptions.defaults());
            another.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            peer.accept().close();

            // the same configuration again: nothing happens; a valid change: republished
            config.modified(props("ioThreads", "1"));
            assertEquals(1, registry.registrations);
            config.modified(props("ioThreads", "2"));
            assertEquals(2, registry.registrations);
            assertEquals(2, registry.published().ioThreads());
            remote.close();
        } finally {
            service.deactivate();
            engine.deactivate();
            config.deactivate();
        }
        assertTrue(registry.active.isEmpty(), "unregistered at deactivation");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ComponentsTest.engineThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), ComponentsTest.engineThreads(), "threads left");
        long fdsAfter = ComponentsTest.openFds();
        assertTrue(fdsAfter <= fdsAtStart + 2, "file descriptors: " + fdsAtStart + " at start, " + fdsAfter + " after");
    }

    /** A bad configuration at the first start: the defaults, and the line says so. */
    @Test
    void aBadConfigurationAtTheFirstStartStartsWithTheDefaults() {
        Registry registry = new Registry();
        EngineConfigComponent config = new EngineConfigComponent(registry.context(), props("ioThreads", "abc"));
        try {
            assertEquals(EngineConfigComponent.defaults(), registry.published());
            assertTrue(config.lastRejection().contains("field 'ioThreads' = 'abc': not a whole number")
                    && config.lastRejection().contains("starting with the defaults"), config.lastRejection());
        } finally {
            config.deactivate();
        }
    }
}
