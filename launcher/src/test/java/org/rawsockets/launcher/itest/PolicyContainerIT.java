package org.rawsockets.launcher.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.inject.Inject;

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
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;

/**
 * The socket policy in the running gateway: two test bundles with the same declaration but
 * different grants, grants changed through the policy:* shell commands (Config Admin) and through
 * an etc/ file picked up by FileInstall; refusals before any packet; audit.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PolicyContainerIT {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final String PID = "org.rawsockets.socket.policy";
    static final String BSN_A = "rawsockets.test.policy.a";
    static final String BSN_B = "rawsockets.test.policy.b";
    static final String DECLARATION = "tcp;host=\"127.0.0.1\";ports=\"*\"";

    @Inject
    BundleContext context;

    private ServerSocket listener;
    private ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> configAdmin;
    private final List<Bundle> installed = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    /** The gateway container of the launcher's own IT, reused as it is. */
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
            b.uninstall();
        }
        ConfigurationAdmin cm = configAdmin();
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
        if (!files.isEmpty()) {
            // FileInstall deletes the configuration it made from the file; wait for it (bounded).
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (cm.listConfigurations("(felix.fileinstall.filename=*)") != null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        org.osgi.service.cm.Configuration[] configs = cm.listConfigurations("(service.pid=" + PID + ")");
        if (configs != null) {
            for (org.osgi.service.cm.Configuration c : configs) {
                try {
                    c.delete();
                } catch (IllegalStateException alreadyDeleted) {
                    // deleted concurrently by FileInstall
                }
            }
        }
        listener.close();
        configAdmin.close();
    }

    @Test
    public void twoBundlesWithDifferentGrantsAndGrantRevokeThroughTheShell() throws Exception {
        int port = listener.getLocalPort();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("defaultGrants", "false");
        props.put("grant.a", BSN_A + " tcp 127.0.0.1 " + port);
        configAdmin().getConfiguration(PID, "?").update(props);

        Bundle a = install(BSN_A, DECLARATION);
        Bundle b = install(BSN_B, DECLARATION);
        awaitCommand(out -> out.startsWith("ALLOWED"), "explain", BSN_A, "tcp", "127.0.0.1", port);
        awaitCommand(out -> out.startsWith("DENIED"), "explain", BSN_B, "tcp", "127.0.0.1", port);

        // A is granted: it connects.
        SocketService sa = socketServiceOf(a);
        TcpSocket ok = sa.openTcp("127.0.0.1", port);
        await(ok.opened());
        try (Socket accepted = accept()) {
            assertNotNull(accepted);
        }

        // B declares the same but has no grant: refused before any packet, with the line to add.
        SocketService sb = socketServiceOf(b);
        Throwable refused = failure(sb.openTcp("127.0.0.1", port).opened());
        assertTrue("NotAllowedException, was " + refused, refused instanceof NotAllowedException);
        String expectedLine = "grant.b-tcp-127.0.0.1-" + port + " = " + BSN_B + " tcp 127.0.0.1 " + port;
        assertTrue(refused.getMessage(), refused.getMessage().contains("bundle " + BSN_B + " [" + b.getBundleId() + "]"));
        assertTrue(refused.getMessage(), refused.getMessage().contains(expectedLine));
        assertNoConnectionBeforeMarker();

        // The operator grants it with the shell command the message names: now B connects.
        String granted = command("grant", "b-tcp-127.0.0.1-" + port, BSN_B, "tcp", "127.0.0.1", String.valueOf(port));
        assertTrue(granted, granted.startsWith("granted grant.b-tcp-127.0.0.1-" + port));
        awaitCommand(out -> out.startsWith("ALLOWED"), "explain", BSN_B, "tcp", "127.0.0.1", port);
        TcpSocket now = sb.openTcp("127.0.0.1", port);
        await(now.opened());
        accept().close();

        // Revoked: refused again; A is unaffected throughout.
        String revoked = command("revoke", "b-tcp-127.0.0.1-" + port);
        assertTrue(revoked, revoked.startsWith("revoked"));
        awaitCommand(out -> out.startsWith("DENIED"), "explain", BSN_B, "tcp", "127.0.0.1", port);
        assertTrue(failure(sb.openTcp("127.0.0.1", port).opened()) instanceof NotAllowedException);
        assertNoConnectionBeforeMarker();
        await(sa.openTcp("127.0.0.1", port).opened());
        accept().close();

        String audit = command("audit", 50);
        assertTrue(audit, audit.contains("OPENED " + BSN_A + " [" + a.getBundleId() + "]"));
        assertTrue(audit, audit.contains("REFUSED " + BSN_B + " [" + b.getBundleId() + "]"));
        assertTrue(audit, audit.contains("OPENED " + BSN_B + " [" + b.getBundleId() + "]"));
        String show = command("show");
        assertTrue(show, show.contains(BSN_A + " [" + a.getBundleId() + "]: " + DECLARATION));
        await(ok.close());
        await(now.close());
    }

    @Test
    public void anEtcFileGrantsThroughFileInstallAndUndeclaredAccessStaysRefused() throws Exception {
        int port = listener.getLocalPort();
        Bundle b = install(BSN_B, DECLARATION);
        Bundle undeclared = install("rawsockets.test.policy.undeclared", null);
        String dirs = context.getProperty("felix.fileinstall.dir");
        assertNotNull("felix.fileinstall.dir is set", dirs);
        Path dir = Paths.get(dirs.split(",")[0].trim());
        Files.createDirectories(dir);
        Path cfg = dir.resolve(PID + ".cfg");
        files.add(cfg);
        Files.write(cfg, String.join("\n", "defaultGrants = false", "grant.b = " + BSN_B + " tcp 127.0.0.1 " + port,
                "grant.all = * tcp 127.0.0.1 " + port, "").getBytes(StandardCharsets.ISO_8859_1));
        // The file is applied when B is allowed on this port and (default grants off) not on another.
        ServerSocket other = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        int otherPort = other.getLocalPort();
        other.close();
        awaitCommand(out -> out.startsWith("DENIED"), "explain", BSN_B, "tcp", "127.0.0.1", otherPort);
        awaitCommand(out -> out.startsWith("ALLOWED"), "explain", BSN_B, "tcp", "127.0.0.1", port);

        await(socketServiceOf(b).openTcp("127.0.0.1", port).opened());
        accept().close();

        // A grant for every bundle does not cover a bundle that declares nothing.
        Throwable refused = failure(socketServiceOf(undeclared).openTcp("127.0.0.1", port).opened());
        assertTrue("NotAllowedException, was " + refused, refused instanceof NotAllowedException);
        assertTrue(refused.getMessage(), refused.getMessage().contains("declares no socket access"));
        assertNoConnectionBeforeMarker();

        // Another port is not granted (the default loopback grants are off in the file).
        Throwable otherRefused = failure(socketServiceOf(b).openTcp("127.0.0.1", otherPort).opened());
        assertTrue("NotAllowedException, was " + otherRefused, otherRefused instanceof NotAllowedException);
    }

    // ---------------------------------------------------------------------------------------------

    /** A manifest-only bundle with the given declaration ({@code null}: none), installed and started. */
    private Bundle install(String bsn, String declaration) throws Exception {
        Manifest m = new Manifest();
        Attributes at = m.getMainAttributes();
        at.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        at.putValue("Bundle-ManifestVersion", "2");
        at.putValue("Bundle-SymbolicName", bsn);
        at.putValue("Bundle-Version", "1.0.0");
        at.putValue("Import-Package", "org.rawsockets.socket;version=\"[1.0,2)\"");
        if (declaration != null) {
            at.putValue("RawSockets-Access", declaration);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, m)) {
            jar.flush();
        }
        Bundle b = context.installBundle("test:" + bsn, new ByteArrayInputStream(bytes.toByteArray()));
        installed.add(b);
        b.start();
        return b;
    }

    /** The bundle-scoped SocketService instance of {@code b} (the policy sees {@code b} as owner). */
    private SocketService socketServiceOf(Bundle b) throws InterruptedException {
        ServiceTracker<SocketService, SocketService> t = new ServiceTracker<>(b.getBundleContext(), SocketService.class, null);
        t.open();
        SocketService s = t.waitForService(WAIT.toMillis());
        if (s == null) {
            t.close();
            throw new AssertionError("no SocketService for " + b.getSymbolicName() + " within " + WAIT);
        }
        return s; // tracker closed by the bundle's uninstall
    }

    private Socket accept() throws IOException {
        try {
            return listener.accept();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no connection reached the listener within " + WAIT, e);
        }
    }

    /** The listener's next connection must be our own marker: a refused open reached nothing. */
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

    /** Configuration Admin delivers changes asynchronously: poll the command until it agrees, bounded. */
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

    /** Config Admin, held by a tracker open for the whole test (its service object stays valid). */
    private ConfigurationAdmin configAdmin() throws InterruptedException {
        ConfigurationAdmin cm = configAdmin.waitForService(WAIT.toMillis());
        if (cm == null) {
            throw new AssertionError("ConfigurationAdmin not registered within " + WAIT);
        }
        return cm;
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + WAIT, e);
        }
    }

    private static Throwable failure(CompletionStage<?> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + WAIT, e);
        }
        throw new AssertionError("expected the open to be refused, it succeeded");
    }
}
