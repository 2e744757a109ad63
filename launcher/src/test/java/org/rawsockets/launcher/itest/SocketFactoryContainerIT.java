package org.rawsockets.launcher.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.inject.Inject;
import javax.net.SocketFactory;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.rawsockets.launcher.GatewayContainerIT;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketService;

/**
 * The {@code java.net.Socket} view in the running gateway (issue 13): a bundle's library code
 * using its service's {@code socketFactory()} is refused by the policy, then allowed by a grant
 * made with the shell command; stopping the bundle closes its library's connections (the peer
 * sees them go, a blocked read ends). And {@code policy:scan} reports a bundle whose own class
 * opens a {@code java.net.Socket}, once per bundle revision.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SocketFactoryContainerIT {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final String PID = "org.rawsockets.socket.policy";
    static final String BSN = "rawsockets.test.factory";
    static final String DIRECT_BSN = "rawsockets.test.direct";
    static final String DECLARATION = "tcp;host=\"127.0.0.1\";ports=\"*\"";

    @Inject
    BundleContext context;

    private ServerSocket listener;
    private ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> configAdmin;
    private final List<Bundle> installed = new ArrayList<>();

    @Configuration
    public Option[] config() throws IOException {
        return new GatewayContainerIT().config();
    }

    @Before
    public void setUp() throws IOException {
        configAdmin = new ServiceTracker<>(context, ConfigurationAdmin.class, null);
        configAdmin.open();
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        listener.setSoTimeout((int) WAIT.toMillis());
    }

    @After
    public void tearDown() throws Exception {
        for (Bundle b : installed) {
            if (b.getState() != Bundle.UNINSTALLED) {
                b.uninstall();
            }
        }
        org.osgi.service.cm.Configuration[] configs = configAdmin().listConfigurations("(service.pid=" + PID + ")");
        if (configs != null) {
            for (org.osgi.service.cm.Configuration c : configs) {
                c.delete();
            }
        }
        listener.close();
        configAdmin.close();
    }

    @Test
    public void aLibraryOnTheFactoryIsRefusedThenGrantedAndClosedWhenItsBundleStops() throws Exception {
        int port = listener.getLocalPort();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("defaultGrants", "false");
        configAdmin().getConfiguration(PID, "?").update(props);
        Bundle lib = install(BSN, DECLARATION, null);
        awaitCommand(out -> out.startsWith("DENIED"), "explain", BSN, "tcp", "127.0.0.1", port);

        // The "library": plain java.net.Socket code, handed the bundle's factory.
        SocketFactory factory = socketServiceOf(lib).socketFactory();
        NotAllowedException refused = assertThrows(NotAllowedException.class,
                () -> factory.createSocket("127.0.0.1", port));
        assertTrue(refused.getMessage(), refused.getMessage().contains("bundle " + BSN + " [" + lib.getBundleId() + "]"));
        assertTrue(refused.getMessage(), refused.getMessage().contains("policy:grant"));
        assertNoConnectionBeforeMarker();

        String granted = command("grant", "lib", BSN, "tcp", "127.0.0.1", String.valueOf(port));
        assertTrue(granted, granted.startsWith("granted grant.lib"));
        awaitCommand(out -> out.startsWith("ALLOWED"), "explain", BSN, "tcp", "127.0.0.1", port);

        Socket s1 = factory.createSocket("127.0.0.1", port);
        Socket peer1 = accept();
        Socket s2 = factory.createSocket();
        s2.connect(listener.getLocalSocketAddress(), (int) WAIT.toMillis());
        Socket peer2 = accept();
        s1.getOutputStream().write("hello from the library".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello from the library",
                new String(peer1.getInputStream().readNBytes(22), StandardCharsets.US_ASCII));
        peer2.getOutputStream().write('!');
        assertEquals('!', s2.getInputStream().read());

        List<SocketInfo> owned = socketAdmin().sockets().stream()
                .filter(i -> i.owner().equals(BSN + " [" + lib.getBundleId() + "]")).toList();
        assertEquals("the library's two connections are the bundle's: " + owned, 2, owned.size());

        CompletableFuture<Throwable> blockedRead = CompletableFuture.supplyAsync(() -> {
            try {
                return new AssertionError("read returned " + s1.getInputStream().read());
            } catch (Throwable t) {
                return t;
            }
        });
        lib.stop();
        // the peer sees both connections go, and the library's blocked read ends
        assertConnectionGone(peer1);
        assertConnectionGone(peer2);
        Throwable t = blockedRead.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue("the library's read after its bundle stopped: " + t, t instanceof SocketException);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (socketAdmin().sockets().stream().anyMatch(i -> i.owner().startsWith(BSN + " ["))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse("no socket of the stopped bundle is left: " + socketAdmin().sockets(),
                socketAdmin().sockets().stream().anyMatch(i -> i.owner().startsWith(BSN + " [")));
        peer1.close();
        peer2.close();
    }

    @Test
    public void policyScanReportsABundleThatOpensASocketItselfOncePerRevision() throws Exception {
        Bundle direct = install(DIRECT_BSN, null, DirectSocketUser.class);
        String scan = command("scan", DIRECT_BSN);
        String where = "new java.net.Socket in " + DirectSocketUser.class.getName() + ".send (line ";
        assertTrue(scan, scan.contains(DIRECT_BSN + " 1.0.0 [" + direct.getBundleId() + "]: 1 place"));
        assertTrue(scan, scan.contains(where));
        String all = command("scan");
        assertTrue(all, all.contains(where));
        String show = command("show");
        assertTrue(show, show.contains(DIRECT_BSN + " 1.0.0 [" + direct.getBundleId() + "]: 1 place"));

        // an update is a new revision: scanned again (the new content opens nothing itself)
        direct.update(new ByteArrayInputStream(jar(DIRECT_BSN, "1.0.1", null, null)));
        String after = command("scan", DIRECT_BSN);
        assertTrue(after, after.contains(DIRECT_BSN + " 1.0.1 [" + direct.getBundleId() + "]: opens no socket itself"));
    }

    // ---------------------------------------------------------------------------------------------

    /** A bundle with the given declaration ({@code null}: none) and optionally one class's file, started. */
    private Bundle install(String bsn, String declaration, Class<?> content) throws Exception {
        Bundle b = context.installBundle("test:" + bsn,
                new ByteArrayInputStream(jar(bsn, "1.0.0", declaration, content)));
        installed.add(b);
        b.start();
        return b;
    }

    private static byte[] jar(String bsn, String version, String declaration, Class<?> content) throws IOException {
        Manifest m = new Manifest();
        Attributes at = m.getMainAttributes();
        at.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        at.putValue("Bundle-ManifestVersion", "2");
        at.putValue("Bundle-SymbolicName", bsn);
        at.putValue("Bundle-Version", version);
        at.putValue("Import-Package", "org.rawsockets.socket;version=\"[1.0,2)\"");
        if (declaration != null) {
            at.putValue("RawSockets-Access", declaration);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, m)) {
            if (content != null) {
                String path = content.getName().replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry(path));
                try (InputStream in = content.getClassLoader().getResourceAsStream(path)) {
                    jar.write(in.readAllBytes());
                }
            }
        }
        return bytes.toByteArray();
    }

    private SocketService socketServiceOf(Bundle b) throws InterruptedException {
        ServiceTracker<SocketService, SocketService> t = new ServiceTracker<>(b.getBundleContext(), SocketService.class,
                null);
        t.open();
        SocketService s = t.waitForService(WAIT.toMillis());
        if (s == null) {
            t.close();
            throw new AssertionError("no SocketService for " + b.getSymbolicName() + " within " + WAIT);
        }
        return s; // the tracker closes with the bundle's context
    }

    private SocketAdmin socketAdmin() throws InterruptedException {
        ServiceTracker<SocketAdmin, SocketAdmin> t = new ServiceTracker<>(context, SocketAdmin.class, null);
        t.open();
        try {
            SocketAdmin a = t.waitForService(WAIT.toMillis());
            assertNotNull("SocketAdmin registered", a);
            return a;
        } finally {
            t.close();
        }
    }

    /** The peer's read ends (FIN: -1, or a reset) within the wait. */
    private static void assertConnectionGone(Socket peer) throws IOException {
        peer.setSoTimeout((int) WAIT.toMillis());
        try {
            int r = peer.getInputStream().read();
            assertEquals("end of stream after the bundle stopped", -1, r);
        } catch (SocketTimeoutException e) {
            fail("the connection stayed open after the bundle stopped");
        } catch (SocketException reset) {
            // a reset also ends it
        }
    }

    private Socket accept() throws IOException {
        try {
            Socket s = listener.accept();
            s.setSoTimeout((int) WAIT.toMillis());
            return s;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no connection reached the listener within " + WAIT, e);
        }
    }

    private void assertNoConnectionBeforeMarker() throws IOException {
        try (Socket marker = new Socket(InetAddress.getByName("127.0.0.1"), listener.getLocalPort());
                Socket seen = accept()) {
            assertEquals("a connection reached the listener before the marker", marker.getLocalPort(), seen.getPort());
        }
    }

    private String command(String function, Object... args) throws Exception {
        ServiceReference<?>[] refs = context.getServiceReferences((String) null,
                "(&(osgi.command.scope=policy)(osgi.command.function=" + function + "))");
        assertNotNull("policy:" + function + " command registered", refs);
        Object commands = context.getService(refs[0]);
        try {
            for (Method m : commands.getClass().getMethods()) {
                if (m.getName().equals(function) && m.getParameterCount() == args.length) {
                    Class<?>[] types = m.getParameterTypes();
                    Object[] converted = new Object[args.length];
                    for (int i = 0; i < args.length; i++) {
                        converted[i] = types[i] == int.class ? Integer.valueOf(args[i].toString()) : args[i].toString();
                    }
                    return String.valueOf(m.invoke(commands, converted));
                }
            }
            throw new AssertionError("no policy:" + function + " with " + args.length + " arguments");
        } catch (InvocationTargetException e) {
            throw new AssertionError("policy:" + function + " failed: " + e.getCause(), e.getCause());
        } finally {
            context.ungetService(refs[0]);
        }
    }

    private String awaitCommand(Predicate<String> condition, String function, Object... args) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String out = command(function, args);
        while (!condition.test(out) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            out = command(function, args);
        }
        if (!condition.test(out)) {
            fail("policy:" + function + " did not reach the expected state within " + WAIT + "; last output: " + out);
        }
        return out;
    }

    private ConfigurationAdmin configAdmin() throws InterruptedException {
        ConfigurationAdmin cm = configAdmin.waitForService(WAIT.toMillis());
        if (cm == null) {
            throw new AssertionError("ConfigurationAdmin not registered within " + WAIT);
        }
        return cm;
    }
}
