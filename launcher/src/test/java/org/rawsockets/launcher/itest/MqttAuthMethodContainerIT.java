package org.rawsockets.launcher.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

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
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.rawsockets.launcher.GatewayContainerIT;
import org.rawsockets.mqtt.MqttAuthException;
import org.rawsockets.mqtt.MqttAuthMethod;
import org.rawsockets.mqtt.MqttClient;

/**
 * A bundle's own MQTT 5 enhanced authentication method in the running gateway: an
 * {@link MqttAuthMethod} service with the service property {@code saslMechanism} is found by a
 * broker configured with that name, the highest ranked first, held only for one exchange, and no
 * longer used once unregistered (the broker's last error then says no bundle provides it). The
 * broker is a Mosquitto the test starts on loopback; it has no enhanced authentication and refuses
 * the method (0x8C) after the client sent the method's initial data, which is what this checks: the
 * OSGi side of the plug-in point (the exchange itself runs against HiveMQ in the MQTT module's tests).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MqttAuthMethodContainerIT {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String POLICY_PID = "org.rawsockets.socket.policy";
    static final String BROKER_PID = "org.rawsockets.mqtt.broker";
    static final String METHOD = "RS-PROBE";

    @Inject
    BundleContext context;

    private ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> configAdmin;
    private Process mosquitto;
    private Path work;
    private final List<ServiceRegistration<?>> registered = new ArrayList<>();
    private final List<org.osgi.service.cm.Configuration> configs = new ArrayList<>();

    /** The gateway container with the MQTT bundle added (it is a protocol bundle, not in system/). */
    @Configuration
    public Option[] config() throws IOException {
        List<Option> options = new ArrayList<>(Arrays.asList(new GatewayContainerIT().config()));
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "mqtt-*.jar")) {
            for (Path jar : jars) {
                options.add(bundle(jar.toUri().toString()).startLevel(4).start());
            }
        }
        return options.toArray(new Option[0]);
    }

    @Before
    public void setUp() throws Exception {
        configAdmin = new ServiceTracker<>(context, ConfigurationAdmin.class, null);
        configAdmin.open();
        work = Files.createTempDirectory("mqtt-auth-it");
    }

    @After
    public void tearDown() throws Exception {
        for (org.osgi.service.cm.Configuration c : configs) {
            c.delete();
        }
        for (ServiceRegistration<?> r : registered) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyUnregistered) {
                // unregistered by the test
            }
        }
        if (mosquitto != null) {
            mosquitto.destroy();
            if (!mosquitto.waitFor(10, TimeUnit.SECONDS)) {
                mosquitto.destroyForcibly();
            }
        }
        configAdmin.close();
        if (work != null) { // the broker's configuration and logs (flat: no folders)
            try (var files = Files.list(work)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    /** A method that records what the gateway gave it; the exchange never goes past CONNECT here. */
    static final class RecordingMethod implements MqttAuthMethod {
        final String tag;
        volatile int started;
        volatile Credentials last;

        RecordingMethod(String tag) {
            this.tag = tag;
        }

        @Override
        public String name() {
            return METHOD;
        }

        @Override
        public Exchange start(Credentials credentials) {
            last = credentials;
            started++;
            return new Exchange() {
                @Override
                public byte[] initial() {
                    return tag.getBytes(StandardCharsets.UTF_8);
                }

                @Override
                public byte[] next(byte[] data) throws MqttAuthException {
                    throw new MqttAuthException("not expected: Mosquitto has no enhanced authentication");
                }

                @Override
                public void accepted(byte[] data) throws MqttAuthException {
                    throw new MqttAuthException("not expected: Mosquitto has no enhanced authentication");
                }
            };
        }
    }

    @Test
    public void aBundlesMethodIsFoundByItsNameHeldForOneExchangeAndDroppedWhenItGoes() throws Exception {
        int port = startMosquitto();
        ConfigurationAdmin cm = configAdmin.waitForService(WAIT.toMillis());
        assertNotNull("Config Admin", cm);
        Hashtable<String, Object> policy = new Hashtable<>();
        policy.put("grant.mqtt-auth", "org.rawsockets.mqtt tcp 127.0.0.1 " + port);
        org.osgi.service.cm.Configuration p = cm.getConfiguration(POLICY_PID, "?");
        p.update(policy);
        configs.add(p);

        RecordingMethod low = register(new RecordingMethod("low"), 0);
        RecordingMethod high = register(new RecordingMethod("high"), 10);

        Hashtable<String, Object> broker = new Hashtable<>();
        broker.put("name", "authit");
        broker.put("host", "127.0.0.1");
        broker.put("port", port);
        broker.put("version", "5");
        broker.put("clientId", "authit");
        broker.put("user", "probe-user");
        broker.put("saslMechanism", METHOD);
        broker.put("reconnectMinMillis", 100L);
        broker.put("reconnectMaxMillis", 200L);
        org.osgi.service.cm.Configuration b = cm.createFactoryConfiguration(BROKER_PID, "?");
        b.update(broker);
        configs.add(b);

        MqttClient client = awaitClient("authit");
        awaitTrue("the highest ranked method started an exchange", () -> high.started > 0, () -> status(client));
        assertEquals("the lower ranked method is not used", 0, low.started);
        assertEquals("probe-user", high.last.user());
        assertNull("no password is configured", high.last.password());
        // Mosquitto read the CONNECT with the method and its initial data and refused the method
        awaitTrue("Mosquitto refused the method", () -> String.valueOf(client.status().lastError()).contains(
                "Bad authentication method"), () -> status(client) + "\n" + log());
        assertTrue(log(), log().contains("authit"));
        Bundle mqtt = client.getClass().getClassLoader() instanceof org.osgi.framework.BundleReference br
                ? br.getBundle() : null;
        assertNotNull(mqtt);
        ServiceReference<?> highRef = registered.get(1).getReference();
        awaitTrue("the method is held for an exchange only, then given back", () -> notUsedBy(highRef, mqtt),
                () -> Arrays.toString(highRef.getUsingBundles()));

        // gone: the next attempt takes the other one; both gone: every connect fails saying so
        registered.get(1).unregister();
        int before = low.started;
        awaitTrue("the remaining method is used", () -> low.started > before, () -> status(client));
        registered.get(0).unregister();
        awaitTrue("the broker says no bundle provides the method", () -> String.valueOf(client.status().lastError())
                .contains("no enhanced authentication method '" + METHOD + "': built in are SCRAM-SHA-256,"
                        + " SCRAM-SHA-512; no bundle provides another"), () -> status(client));
    }

    private <T extends MqttAuthMethod> T register(T method, int ranking) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MqttAuthMethod.SASL_MECHANISM, METHOD);
        props.put(Constants.SERVICE_RANKING, ranking);
        registered.add(context.registerService(MqttAuthMethod.class, method, props));
        return method;
    }

    private static boolean notUsedBy(ServiceReference<?> ref, Bundle bundle) {
        Bundle[] using = ref.getUsingBundles();
        return using == null || Arrays.stream(using).noneMatch(bundle::equals);
    }

    private MqttClient awaitClient(String name) throws Exception {
        ServiceTracker<MqttClient, MqttClient> t = new ServiceTracker<>(context, context.createFilter("(&("
                + Constants.OBJECTCLASS + "=" + MqttClient.class.getName() + ")(name=" + name + "))"), null);
        t.open();
        try {
            MqttClient c = t.waitForService(WAIT.toMillis());
            assertNotNull("no MqttClient service named " + name + " within " + WAIT, c);
            return c;
        } finally {
            t.close();
        }
    }

    private static String status(MqttClient c) {
        return String.valueOf(c.status());
    }

    private static void awaitTrue(String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(what + " within " + WAIT + ": " + state.get(), System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }

    private int startMosquitto() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Files.write(work.resolve("mosquitto.conf"), List.of("listener " + port + " 127.0.0.1", "allow_anonymous true",
                "log_dest file " + work.resolve("mosquitto.log"), "log_type all", "user "
                        + System.getProperty("user.name")));
        mosquitto = new ProcessBuilder("/usr/sbin/mosquitto", "-c", work.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("stdout.txt").toFile()).start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return port;
            } catch (IOException notYet) {
                assertTrue("Mosquitto did not listen on " + port + ": " + log(), System.nanoTime() < deadline
                        && mosquitto.isAlive());
                Thread.sleep(20);
            }
        }
    }

    private String log() {
        try {
            Path log = work.resolve("mosquitto.log");
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
