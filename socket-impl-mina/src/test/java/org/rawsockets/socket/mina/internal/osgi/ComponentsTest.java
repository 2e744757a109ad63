package org.rawsockets.socket.mina.internal.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.TcpServerSocket;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.SocketPolicy;

/** The DS components outside a framework: configuration mapping, bundle ownership, clean deactivation. */
class ComponentsTest {

    /** An annotation-typed configuration with the given values, defaults otherwise (as DS builds it). */
    @SuppressWarnings("unchecked")
    static <A> A config(Class<A> type, Map<String, Object> values) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (p, m, args) -> {
            if (values.containsKey(m.getName())) {
                return values.get(m.getName());
            }
            if (m.getDefaultValue() != null) {
                return m.getDefaultValue();
            }
            throw new IllegalStateException("no value for " + m.getName());
        });
    }

    static Bundle bundle(long id, String bsn) {
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (p, m, args) -> switch (m.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> bsn;
                    case "hashCode" -> (int) id;
                    case "equals" -> p == args[0];
                    case "toString" -> bsn;
                    default -> null;
                });
    }

    static ComponentContext usedBy(Bundle b) {
        return (ComponentContext) Proxy.newProxyInstance(ComponentContext.class.getClassLoader(),
                new Class<?>[] { ComponentContext.class }, (p, m, args) -> m.getName().equals("getUsingBundle") ? b
                        : null);
    }

    static List<String> engineThreads() {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (t.isAlive() && (n.startsWith("rawsockets-") || n.startsWith("NioProcessor")
                    || n.startsWith("SocketProcessor") || n.startsWith("NioSocketConnector") || n.startsWith("NioDatagram") || n.startsWith("PausingAcceptor")
                    || n.startsWith("NioSocketAcceptor") || n.startsWith("ExpiringMapExpirer"))) {
                out.add(n);
            }
        }
        return out;
    }

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void bundleScopedServicesAndCleanDeactivation() throws Exception {
        long fdsBefore = openFds();
        SocketEngineComponent engine = new SocketEngineComponent(
                EngineConfigComponent.read(Map.of("ioThreads", 2, "highWaterMark", 128 * 1024)),
                SocketPolicy.ALLOW_ALL, AuditLog.NONE);
        SocketAdminComponent admin = new SocketAdminComponent(engine);
        Map<String, Object> loop = Map.of("name", "loop", "host", "127.0.0.1", "port", 7, "tls", "off");
        EndpointComponent ep = new EndpointComponent(engine, config(EndpointConfiguration.class, loop), loop);
        assertEquals("loop", admin.endpoints().get(0).name());
        assertEquals(TlsMode.OFF, admin.endpoints().get(0).tls());

        SocketServiceComponent a = new SocketServiceComponent(engine, usedBy(bundle(42, "bundle.a")));
        SocketServiceComponent b = new SocketServiceComponent(engine, usedBy(bundle(43, "bundle.b")));
        try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TcpSocket sa = a.openTcp("127.0.0.1", peer.getLocalPort(), TcpSocketOptions.defaults());
            sa.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            Socket pa = peer.accept();
            TcpSocket sb = b.openTcp("127.0.0.1", peer.getLocalPort(), TcpSocketOptions.defaults());
            sb.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            Socket pb = peer.accept();
            UdpSocket ua = a.openUdp(UdpSocketOptions.bound("127.0.0.1", 0));
            TcpServerSocket la = a.listenTcp(TcpServerSocketOptions.of("127.0.0.1", 0));
            ua.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            la.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertEquals("bundle.a [42]", a.sockets().get(0).owner());
            assertEquals(3, a.sockets().size());
            assertEquals(4, admin.sockets().size());

            a.deactivate(); // bundle A ungets the service
            sa.closed().toCompletableFuture().handle((v, t) -> null).get(20, TimeUnit.SECONDS);
            la.closed().toCompletableFuture().get(20, TimeUnit.SECONDS);
            ua.closed().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertEquals(1, admin.sockets().size(), "only bundle B's socket is left");
            assertEquals("bundle.b [43]", admin.sockets().get(0).owner());
            pa.setSoTimeout(10_000);
            assertEquals(-1, pa.getInputStream().read(), "A's connection was closed");

            ep.deactivate();
            assertTrue(admin.endpoints().isEmpty());
            engine.deactivate();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> sb.readable().read().toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertInstanceOf(SocketClosedException.class, e.getCause());
            pa.close();
            pb.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!engineThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), engineThreads(), "threads left after deactivation");
        long fdsAfter = openFds();
        assertTrue(fdsAfter <= fdsBefore + 2, "file descriptors: " + fdsBefore + " before, " + fdsAfter + " after");
    }

    @Test
    void rejectedAndDuplicateEndpointsConfigureNothing() throws Exception {
        SocketEngineComponent engine = new SocketEngineComponent(EngineConfigComponent.defaults(),
                SocketPolicy.ALLOW_ALL, AuditLog.NONE);
        SocketAdminComponent admin = new SocketAdminComponent(engine);
        try {
            // DS would coerce port=abc to 0 and tls is checked as written: both rejected, nothing configured.
            Map<String, Object> badPort = Map.of("name", "a", "host", "127.0.0.1", "port", "abc");
            EndpointComponent bad = new EndpointComponent(engine, config(EndpointConfiguration.class, Map.of("name", "a",
                    "host", "127.0.0.1", "port", 0)), badPort);
            assertTrue(admin.endpoints().isEmpty(), admin.endpoints().toString());
            bad.deactivate();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EndpointComponent.checkRaw(badPort));
            assertTrue(e.getMessage().contains("field 'port' = 'abc': not a whole number; rule: a whole number in 1..65535"),
                    e.getMessage());

            Map<String, Object> first = Map.of("name", "mail", "host", "127.0.0.1", "port", 2525, "service.pid",
                    "org.rawsockets.socket.endpoint~one");
            Map<String, Object> second = Map.of("name", "mail", "host", "127.0.0.2", "port", 2526, "service.pid",
                    "org.rawsockets.socket.endpoint~two");
            EndpointComponent one = new EndpointComponent(engine, config(EndpointConfiguration.class, first), first);
            EndpointComponent two = new EndpointComponent(engine, config(EndpointConfiguration.class, second), second);
            assertEquals(1, admin.endpoints().size(), admin.endpoints().toString());
            assertEquals("127.0.0.1", admin.endpoints().get(0).host(), "the first keeps its name, never shadowed");
            two.deactivate();
            assertEquals("127.0.0.1", admin.endpoints().get(0).host(), "the refused one removes nothing");
            one.deactivate();
            assertTrue(admin.endpoints().isEmpty());
            EndpointComponent again = new EndpointComponent(engine, config(EndpointConfiguration.class, second), second);
            assertEquals("127.0.0.2", admin.endpoints().get(0).host(), "the name is free again");
            again.deactivate();
        } finally {
            engine.deactivate();
        }
    }

    @Test
    void endpointConfigurationIsChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EndpointComponent
                .toEndpoint(config(EndpointConfiguration.class, Map.of("name", "x", "host", "h", "port", 0))));
        assertTrue(e.getMessage().contains("port"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EndpointComponent.toEndpoint(config(
                EndpointConfiguration.class, Map.of("name", "x", "host", "h", "port", 25, "tls", "maybe"))));
        assertTrue(e.getMessage().contains("OFF, ON or STARTTLS"), e.getMessage());
        assertEquals(TlsMode.STARTTLS, EndpointComponent.toEndpoint(config(EndpointConfiguration.class,
                Map.of("name", "mail", "host", "smtp.example", "port", 25, "tls", "starttls"))).info().tls());
    }
}
