package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherConfigTest {

    @Test
    void optionsSelectTheMode() {
        assertEquals(Main.Mode.INTERACTIVE, Main.Options.parse(new String[0]).mode());
        assertEquals(Main.Mode.HEADLESS, Main.Options.parse(new String[] { "--headless" }).mode());
        Main.Options c = Main.Options.parse(new String[] { "-c", "lb; sockets:list" });
        assertEquals(Main.Mode.SCRIPT, c.mode());
        assertEquals("lb; sockets:list", c.script());
    }

    @Test
    void badOptionsAreRefusedWithAReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] { "-c" }))
                .getMessage().contains("-c needs"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Main.Options.parse(new String[] { "--headless", "-c", "lb" })).getMessage().contains("exclude"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] { "--bogus" }))
                .getMessage().contains("--bogus"));
    }

    @Test
    void usageErrorsExit64AndNameTheProblem(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(Main.EXIT_USAGE, Main.run(new String[] { "--bogus" }, System.out, e));
        assertEquals(Main.EXIT_USAGE, Main.run(new String[] { "--home", dir.toString() }, System.out, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not a gateway folder"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void configExpandsHomeAndSystemPropertiesOverride(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/gateway.properties"),
                "a.dir=${gateway.home}/deploy\nfelix.fileinstall.poll=100\ngateway.test.override=file\n");
        System.setProperty("gateway.test.override", "sys");
        try {
            Properties p = Gateway.loadConfig(home);
            assertEquals(home + "/deploy", p.getProperty("a.dir"));
            assertEquals("100", p.getProperty("felix.fileinstall.poll"));
            assertEquals("sys", p.getProperty("gateway.test.override"));
        } finally {
            System.clearProperty("gateway.test.override");
        }
    }

    @Test
    void startLevelsByGlob() {
        Properties p = new Properties();
        p.setProperty("gateway.startlevel.1", "org.apache.aries.spifly.dynamic.bundle, org.objectweb.asm*");
        p.setProperty("gateway.startlevel.2", "slf4j.api, ch.qos.logback.*");
        p.setProperty("gateway.startlevel.default", "3");
        List<Gateway.StartLevelRule> rules = Gateway.StartLevelRule.parse(p);
        assertEquals(1, Gateway.StartLevelRule.levelOf(rules, "org.objectweb.asm.tree", 3));
        assertEquals(1, Gateway.StartLevelRule.levelOf(rules, "org.apache.aries.spifly.dynamic.bundle", 3));
        assertEquals(2, Gateway.StartLevelRule.levelOf(rules, "ch.qos.logback.classic", 3));
        assertEquals(2, Gateway.StartLevelRule.levelOf(rules, "slf4j.api", 3));
        assertEquals(3, Gateway.StartLevelRule.levelOf(rules, "slf4j.apix", 3));
        assertEquals(3, Gateway.StartLevelRule.levelOf(rules, "org.rawsockets.socket.mina", 3));
    }

    @Test
    void scriptsSplitIntoTopLevelStatements() {
        assertEquals(List.of("lb -s", "sockets:list", "echo 'a;b'", "each [1 2] { echo $it; echo x }", "help"),
                Gateway.statements("lb -s; sockets:list\necho 'a;b';; each [1 2] { echo $it; echo x }\n  help  \n"));
        assertEquals(List.of("echo \"q\\\";x\""), Gateway.statements("echo \"q\\\";x\""));
    }

    @Test
    void aFileInstallConfigurationIsStaleWhenItsFileIsGoneOrOutsideTheWatchedFolders(@TempDir Path home) throws Exception {
        Path etc = Files.createDirectories(home.resolve("etc"));
        Path there = Files.writeString(etc.resolve("with space.cfg"), "a=b\n");
        List<Path> watched = StaleConfigurations.watchedFolders(home.resolve("deploy") + "," + etc, home);
        assertEquals(List.of(home.resolve("deploy"), etc), watched);
        assertTrue(!StaleConfigurations.stale(there.toUri().toString(), watched), "the file is there");
        assertTrue(StaleConfigurations.stale(etc.resolve("gone.cfg").toUri().toString(), watched), "the file is gone");
        Path elsewhere = Files.writeString(home.resolve("other.cfg"), "a=b\n");
        assertTrue(StaleConfigurations.stale(elsewhere.toUri().toString(), watched), "not in a watched folder (moved gateway)");
        assertTrue(!StaleConfigurations.stale("https://example.org/x.cfg", watched), "not a file FileInstall made");
        assertEquals(List.of(home.resolve("etc")), StaleConfigurations.watchedFolders(" etc ,", home), "relative to home");
    }

    @Test
    void overlappingStartLevelRulesPickTheMostSpecificWhateverTheirOrder() {
        // Properties hand out keys in hash order: try every pair of levels, both ways round.
        for (int a = 1; a <= 9; a++) {
            for (int b = 1; b <= 9; b++) {
                if (a == b) {
                    continue;
                }
                Properties p = new Properties();
                p.setProperty("gateway.startlevel." + a, "org.example.*");
                p.setProperty("gateway.startlevel." + b, "org.example.special, org.example.sub.*");
                List<Gateway.StartLevelRule> rules = Gateway.StartLevelRule.parse(p);
                String pair = "levels " + a + " (org.example.*) and " + b;
                assertEquals(b, Gateway.StartLevelRule.levelOf(rules, "org.example.special", 7), "exact name beats glob; " + pair);
                assertEquals(b, Gateway.StartLevelRule.levelOf(rules, "org.example.sub.x", 7), "longer glob beats shorter; " + pair);
                assertEquals(a, Gateway.StartLevelRule.levelOf(rules, "org.example.other", 7), pair);
                assertEquals(7, Gateway.StartLevelRule.levelOf(rules, "org.other", 7), pair);
            }
        }
    }

    @Test
    void equallySpecificStartLevelRulesPickTheLowerLevel() {
        for (int a = 1; a <= 9; a++) {
            for (int b = a + 1; b <= 9; b++) {
                Properties p = new Properties();
                p.setProperty("gateway.startlevel." + b, "org.*.x");
                p.setProperty("gateway.startlevel." + a, "org.a.*");
                assertEquals(a, Gateway.StartLevelRule.levelOf(Gateway.StartLevelRule.parse(p), "org.a.x", 7));
            }
        }
    }

    @Test
    void configAdminThatCannotBeReadIsAClearErrorNotANullPointer(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("deploy"));
        Files.writeString(Files.createDirectories(home.resolve("etc")).resolve("x.cfg"), "a=b\n");
        // A Config Admin whose API classes cannot be loaded from its bundle.
        org.osgi.framework.Bundle bundle = proxy(org.osgi.framework.Bundle.class, (m, args) -> {
            if (m.getName().equals("loadClass")) {
                throw new ClassNotFoundException((String) args[0]);
            }
            return null;
        });
        org.osgi.framework.ServiceReference<?> ref = proxy(org.osgi.framework.ServiceReference.class,
                (m, args) -> m.getName().equals("getBundle") ? bundle : null);
        org.osgi.framework.BundleContext ctx = proxy(org.osgi.framework.BundleContext.class, (m, args) -> {
            switch (m.getName()) {
            case "getBundles":
                return new org.osgi.framework.Bundle[0];
            case "getServiceReference":
                return ref;
            case "getService":
                return new Object();
            case "ungetService":
                return true;
            default:
                return null;
            }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GatewayReadiness.awaitInitialScan(ctx, home, System.nanoTime() + 200_000_000L));
        assertTrue(e.getMessage().contains("Config Admin"), e.getMessage());
        assertTrue(e.getMessage().contains("ClassNotFoundException"), e.getMessage());
    }

    interface Handler {
        Object invoke(java.lang.reflect.Method m, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Handler h) {
        return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
                (p, m, args) -> h.invoke(m, args));
    }
}
