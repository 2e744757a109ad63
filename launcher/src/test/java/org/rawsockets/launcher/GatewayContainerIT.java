package org.rawsockets.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.ProbeBuilder;
import org.ops4j.pax.exam.TestProbeBuilder;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.rawsockets.launcher.fixture.LoopbackPeer;
import org.rawsockets.launcher.fixture.PeerClient;
import org.rawsockets.launcher.fixture.TestBundles;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;

/**
 * The gateway's resolved bundle set (target/gateway/system, same start levels as the launcher)
 * booted in Felix by Pax Exam: bundle states, per-bundle socket isolation, churn leaks, and an
 * update of the socket implementation under live clients.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GatewayContainerIT {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final String IMPL_BSN = "org.rawsockets.socket.mina";

    @Inject
    BundleContext context;

    private LoopbackPeer peer;
    private ServiceTracker<SocketAdmin, SocketAdmin> adminTracker;
    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();

    @Configuration
    public Option[] config() throws IOException {
        Path gateway = Paths.get(System.getProperty("gateway.dir"));
        Path work = Paths.get(System.getProperty("test.work.dir"), "container");
        Path clientJar = TestBundles.peerClient(work.resolve("peerclient.jar"));
        Properties config = Gateway.loadConfig(gateway);
        List<Gateway.StartLevelRule> rules = Gateway.StartLevelRule.parse(config);
        List<Option> options = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(gateway.resolve("system"), "*.jar")) {
            for (Path jar : jars) {
                String bsn = symbolicName(jar);
                options.add(bundle(jar.toUri().toString()).startLevel(Gateway.StartLevelRule.levelOf(rules, bsn, 3)).start());
            }
        }
        options.add(junitBundles());
        options.add(cleanCaches(true));
        options.add(frameworkProperty("gosh.args").value("--nointeractive"));
        options.add(frameworkProperty("felix.fileinstall.dir").value(work.resolve("deploy").toString()));
        options.add(frameworkProperty("felix.fileinstall.poll").value("100"));
        options.add(frameworkProperty("ds.loglevel").value("warn"));
        options.add(systemProperty("logback.configurationFile").value(gateway.resolve("etc/logback.xml").toString()));
        options.add(systemProperty("gateway.home").value(work.toString()));
        // The HTTP server of the bundle set as etc/gateway.properties sets it (loopback), on a free port.
        options.add(systemProperty("org.apache.felix.http.host").value("127.0.0.1"));
        options.add(systemProperty("org.osgi.service.http.port").value("0"));
        options.add(systemProperty("test.peerclient.jar").value(clientJar.toUri().toString()));
        return options.toArray(new Option[0]);
    }

    /** The probe opens sockets itself in the update test: it declares loopback TCP like any bundle. */
    @ProbeBuilder
    public TestProbeBuilder probe(TestProbeBuilder builder) {
        builder.setHeader("RawSockets-Access", "tcp;host=\"127.0.0.1\";ports=\"*\"");
        return builder;
    }

    private static String symbolicName(Path jar) throws IOException {
        try (java.util.jar.JarFile f = new java.util.jar.JarFile(jar.toFile())) {
            String bsn = f.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            return bsn == null ? null : bsn.split(";")[0].trim();
        }
    }

    @Before
    public void setUp() throws Exception {
        peer = new LoopbackPeer();
        adminTracker = new ServiceTracker<>(context, SocketAdmin.class, null);
        adminTracker.open();
    }

    @After
    public void tearDown() throws Exception {
        for (Bundle b : context.getBundles()) {
            if (TestBundles.PEER_CLIENT_BSN.equals(b.getSymbolicName())) {
                b.uninstall();
            }
        }
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration[] configs = cm.listConfigurations("(service.pid=" + PeerClient.PID + ")");
        if (configs != null) {
            for (org.osgi.service.cm.Configuration c : configs) {
                c.delete();
            }
        }
        adminTracker.close();
        for (ServiceTracker<?, ?> t : trackers) {
            t.close();
        }
        trackers.clear();
        peer.close();
    }

    @Test
    public void everyBundleIsActiveAndTheSocketServiceIsPresent() throws Exception {
        List<String> notActive = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null && b.getState() != Bundle.ACTIVE) {
                notActive.add(b.getSymbolicName() + " state " + b.getState());
            }
        }
        assertTrue("bundles not active: " + notActive, notActive.isEmpty());
        assertNotNull("SocketService registered", service(SocketService.class));
        assertNotNull("SocketAdmin registered", service(SocketAdmin.class));
        ServiceReference<?>[] commands = context.getServiceReferences((String) null, "(osgi.command.scope=sockets)");
        assertNotNull("sockets:* shell commands registered", commands);
    }

    @Test
    public void stoppingOrUninstallingABundleClosesItsSockets() throws Exception {
        configurePeerClient(3, "hello");
        Bundle client = context.installBundle(System.getProperty("test.peerclient.jar"));
        client.start();
        List<LoopbackPeer.Connection> connections = acceptAll(3, "hello");
        assertEquals(3, socketsOf(client).size());

        client.stop();
        for (LoopbackPeer.Connection c : connections) {
            c.awaitEof(WAIT);
        }
        awaitNoSocketsOf(client);

        client.start();
        connections = acceptAll(3, "hello");
        client.uninstall();
        for (LoopbackPeer.Connection c : connections) {
            c.awaitEof(WAIT);
        }
        awaitNoSocketsOf(client);
    }

    @Test
    public void churnLeavesNoThreadFileDescriptorOrSocketBehind() throws Exception {
        configurePeerClient(2, "churn");
        String location = System.getProperty("test.peerclient.jar");
        // Warm-up: I/O threads, class loading, JIT'd paths settle before the baseline.
        for (int i = 0; i < 5; i++) {
            cycle(location);
        }
        System.gc();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        long fdsBefore = openFds();
        long t0 = System.nanoTime();
        int cycles = 200;
        for (int i = 0; i < cycles; i++) {
            cycle(location);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.gc();
        // Threads of the service end asynchronously; give them a moment, bounded.
        int threadsAfter = settle(() -> ManagementFactory.getThreadMXBean().getThreadCount(), threadsBefore + 2);
        long fdsAfter = settle(GatewayContainerIT::openFds, fdsBefore + 4);
        List<SocketInfo> left = admin().sockets();
        System.out.printf("CHURN %d cycles (install, start, 2 sockets, uninstall) in %d ms: threads %d -> %d,"
                + " fds %d -> %d, sockets left %d%n", cycles, millis, threadsBefore, threadsAfter, fdsBefore, fdsAfter,
                left.size());
        assertTrue("sockets left behind: " + left, left.isEmpty());
        assertTrue("threads grew " + threadsBefore + " -> " + threadsAfter, threadsAfter <= threadsBefore + 2);
        assertTrue("file descriptors grew " + fdsBefore + " -> " + fdsAfter, fdsAfter <= fdsBefore + 4);
    }

    @Test
    public void updatingTheImplementationClosesClientSocketsAndClientsRebind() throws Exception {
        configurePeerClient(1, "before");
        Bundle client = context.installBundle(System.getProperty("test.peerclient.jar"));
        client.start();
        LoopbackPeer.Connection dsClient = acceptAll(1, "before").get(0);

        ServiceTracker<SocketService, SocketService> tracker = new ServiceTracker<>(context, SocketService.class, null);
        tracker.open();
        try {
            SocketService before = tracker.waitForService(WAIT.toMillis());
            assertNotNull(before);
            TcpSocket held = before.openTcp("127.0.0.1", peer.port());
            held.opened().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            LoopbackPeer.Connection probeConnection = peer.accept(WAIT);

            Bundle impl = installed(IMPL_BSN);
            impl.update();

            // The held socket is closed with a clear error; the peer sees both connections end.
            probeConnection.awaitEof(WAIT);
            dsClient.awaitEof(WAIT);
            try {
                held.writable().write("after".getBytes(StandardCharsets.US_ASCII)).toCompletableFuture()
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                fail("writing on a socket of the old implementation must fail");
            } catch (ExecutionException e) {
                assertTrue("closed error, was " + e.getCause(), e.getCause() instanceof SocketClosedException);
                assertNotNull(e.getCause().getMessage());
            }

            // Rebind: the tracker sees the new service; the DS client is re-activated by SCR.
            SocketService after = awaitNewService(tracker, before);
            TcpSocket fresh = after.openTcp("127.0.0.1", peer.port());
            fresh.opened().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<LoopbackPeer.Connection> reconnected = new ArrayList<>();
            reconnected.add(peer.accept(WAIT));
            reconnected.add(peer.accept(WAIT));
            fresh.close().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (LoopbackPeer.Connection c : reconnected) {
                c.close();
            }
        } finally {
            tracker.close();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void cycle(String location) throws Exception {
        Bundle client = context.installBundle(location);
        client.start();
        List<LoopbackPeer.Connection> connections = acceptAll(2, "churn");
        client.uninstall();
        for (LoopbackPeer.Connection c : connections) {
            c.awaitEof(WAIT);
        }
    }

    private List<LoopbackPeer.Connection> acceptAll(int n, String expectedLine) throws Exception {
        List<LoopbackPeer.Connection> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            LoopbackPeer.Connection c = peer.accept(WAIT);
            assertEquals(expectedLine, c.readLine(WAIT));
            list.add(c);
        }
        return list;
    }

    private void configurePeerClient(int count, String message) throws Exception {
        ConfigurationAdmin cm = service(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration c = cm.getConfiguration(PeerClient.PID, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("host", "127.0.0.1");
        props.put("port", Integer.toString(peer.port()));
        props.put("count", Integer.toString(count));
        props.put("message", message);
        c.update(props);
    }

    private SocketAdmin admin() throws InterruptedException {
        SocketAdmin a = adminTracker.waitForService(WAIT.toMillis());
        assertNotNull("SocketAdmin service within " + WAIT, a);
        return a;
    }

    private List<SocketInfo> socketsOf(Bundle b) throws InterruptedException {
        String owner = b.getSymbolicName() + " [" + b.getBundleId() + "]";
        return admin().sockets().stream().filter(s -> s.owner().equals(owner)).collect(Collectors.toList());
    }

    private void awaitNoSocketsOf(Bundle b) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<SocketInfo> left = socketsOf(b);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = socketsOf(b);
        }
        assertTrue("sockets still listed for " + b.getSymbolicName() + ": " + left, left.isEmpty());
    }

    private SocketService awaitNewService(ServiceTracker<SocketService, SocketService> tracker, SocketService old)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            SocketService s = tracker.getService();
            if (s != null && s != old) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no new SocketService after updating " + IMPL_BSN + " within " + WAIT);
    }

    private Bundle installed(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + bsn + " not installed");
    }

    /** A service, tracked until the end of the test (service factories invalidate released objects). */
    private <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> t = new ServiceTracker<>(context, type, null);
        t.open();
        trackers.add(t);
        T s = t.waitForService(WAIT.toMillis());
        if (s == null) {
            throw new AssertionError(type.getName() + " not registered within " + WAIT);
        }
        return s;
    }

    static long openFds() {
        try (java.util.stream.Stream<Path> s = Files.list(Paths.get("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new AssertionError("cannot count /proc/self/fd (Linux only)", e);
        }
    }

    private static <N extends Number & Comparable<N>> N settle(java.util.function.Supplier<N> value, long bound)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        N v = value.get();
        while (v.longValue() > bound && System.nanoTime() < deadline) {
            Thread.sleep(50);
            v = value.get();
        }
        return v;
    }
}
