package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.rawsockets.launcher.GatewayProcessIT.Result;

/**
 * Configuration as the operator sees it, through the real gateway process on a copy of the built
 * distribution with the protocol bundles (from {@code bundles/}) in {@code deploy/}: {@code etc/} is
 * the source of truth across restarts, shell changes say where they live, and bad configuration is
 * one ERROR line in {@code log/gateway.log}. Secrets: {@link SecretsProcessIT}.
 */
class ConfigurationProcessIT {

    static final String POLICY = "etc/org.rawsockets.socket.policy.cfg";
    static final String EXPLAIN = "policy:explain org.rawsockets.smtp tcp 203.0.113.10 587";

    /** The process helpers (start, run, copy of the distribution); its leftovers are killed after each test. */
    private final GatewayProcessIT gateways = new GatewayProcessIT();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        gateways.killLeftovers();
    }

    @Test
    void aDeletedEtcFileDeletesItsConfigurationAtTheNextStart(TestInfo info) throws Exception {
        Path home = protocolGateway(info);
        GatewayProcessIT.writeAtomically(home.resolve(POLICY), "grant.wide = * * * *\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.smtp.server-stale.cfg"),
                "name=stalemail\nhost=127.0.0.1\nport=25\ntls=OFF\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.modbus.device-stale.cfg"),
                "name=staleplc\nhost=127.0.0.1\nport=502\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.modbus.device-kept.cfg"),
                "name=keptplc\nhost=127.0.0.1\nport=502\n");
        Result first = gateways.run(home, "-c", EXPLAIN + "; smtp:servers; modbus:devices");
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.stdout().contains("ALLOWED"), "the wide grant is in force: " + first);
        assertTrue(first.stdout().contains("stalemail") && first.stdout().contains("staleplc")
                && first.stdout().contains("keptplc"), first.toString());

        // Deleted while the gateway is stopped: gone at the next start, before any component saw it.
        Files.delete(home.resolve(POLICY));
        Files.delete(home.resolve("etc/org.rawsockets.smtp.server-stale.cfg"));
        Files.delete(home.resolve("etc/org.rawsockets.modbus.device-stale.cfg"));
        String grant = "policy:grant shell org.rawsockets.smtp tcp 203.0.113.10 587";
        Result second = gateways.run(home, "-c", EXPLAIN + "; smtp:servers; modbus:devices; " + grant);
        assertEquals(0, second.exit(), second.toString());
        assertTrue(second.stdout().contains("DENIED") && !second.stdout().contains("ALLOWED"),
                "the deleted wide grant is not in force: " + second);
        assertFalse(second.stdout().contains("stalemail"), second.toString());
        assertFalse(second.stdout().contains("staleplc"), second.toString());
        assertTrue(second.stdout().contains("keptplc"), "a device whose file is there stays: " + second);
        for (String pid : new String[] { "org.rawsockets.socket.policy:", "org.rawsockets.smtp.server~stale:",
                "org.rawsockets.modbus.device~stale:" }) {
            assertTrue(second.stderr().contains("gateway: removed configuration " + pid), pid + ": " + second);
        }
        // What the shell says about where a shell change lives, and each part of it holds (below).
        assertTrue(second.stdout().contains("granted grant.shell = org.rawsockets.smtp tcp 203.0.113.10 587\nin force now"
                + " and kept in the gateway's configuration store (" + home.resolve("data/config") + "), not in etc/; a file"
                + " etc/org.rawsockets.socket.policy.cfg would replace it at the next start"), second.toString());

        // Kept in the store: a configuration made in the shell (no file) survives the restart.
        Result third = gateways.run(home, "-c", EXPLAIN);
        assertEquals(0, third.exit(), third.toString());
        assertTrue(third.stdout().contains("ALLOWED") && third.stdout().contains("granted by 'shell'"), third.toString());
        assertFalse(third.stderr().contains("removed configuration"), third.toString());

        // An etc/ file with the same PID wins at the next start.
        GatewayProcessIT.writeAtomically(home.resolve(POLICY), "defaultGrants = true\n");
        Result fourth = gateways.run(home, "-c", EXPLAIN + "; " + grant);
        assertEquals(0, fourth.exit(), fourth.toString());
        assertTrue(fourth.stdout().startsWith("DENIED"), "the file replaced the shell's grant: " + fourth);
        assertTrue(fourth.stdout().contains("but this policy comes from " + home.resolve(POLICY)
                + ", which replaces it at the next start (the file is never rewritten): edit the file to keep it"),
                fourth.toString());
        assertEquals("defaultGrants = true\n", Files.readString(home.resolve(POLICY)), "the file is never rewritten");
    }

    /**
     * "Ready" means the components configured from {@code etc/} are there: Config Admin delivers
     * configurations asynchronously, and without the launcher's barrier the first command saw only
     * some of them (1 to 3 of 6 in 3 of 4 starts on a loaded machine).
     */
    @Test
    void theFirstCommandSeesEveryComponentConfiguredFromEtc(TestInfo info) throws Exception {
        Path home = protocolGateway(info);
        for (int i = 1; i <= 6; i++) {
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.smtp.server-s" + i + ".cfg"),
                    "name=mail" + i + "\nhost=127.0.0.1\nport=25\ntls=OFF\n");
            GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.modbus.device-m" + i + ".cfg"),
                    "name=plc" + i + "\nhost=127.0.0.1\nport=502\n");
        }
        Result r = gateways.run(home, "-c", "smtp:servers; modbus:devices");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stderr().contains("gateway ready in"), r.toString());
        for (int i = 1; i <= 6; i++) {
            assertTrue(r.stdout().contains("mail" + i + " ") && r.stdout().contains("plc" + i + " "), i + ": " + r);
        }
    }

    @Test
    void badCoreConfigurationIsOneErrorLineInTheLogAndContained(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        GatewayProcessIT.writeAtomically(home.resolve(POLICY),
                "defaultGrants = ture\ndefaultGrant = true\ngrant.bad = org.example tcpx * 80\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.endpoint-a.cfg"),
                "name=mail\nhost=127.0.0.1\nport=2525\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.endpoint-b.cfg"),
                "name=mail\nhost=127.0.0.2\nport=2526\n");
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.socket.endpoint-c.cfg"),
                "name=badport\nhost=127.0.0.1\nport=abc\nhots=x\n");
        Result r = gateways.run(home, "-c", "policy:show; sockets:endpoints");
        assertEquals(0, r.exit(), r.toString());
        // Contained: the gateway runs, the typo fails closed (no loopback grants), one endpoint 'mail'.
        assertTrue(r.stdout().contains("(none: every open is refused)"), r.toString());
        assertTrue(r.stdout().contains("field 'defaultGrants' = 'ture': not a boolean"), "policy:show lists it: " + r);
        List<String> endpoints = r.stdout().lines().filter(l -> l.startsWith("mail ")).toList();
        assertEquals(1, endpoints.size(), r.toString());
        assertFalse(r.stdout().contains("badport"), r.toString());

        List<String> log = Files.readAllLines(home.resolve("log/gateway.log"));
        String policy = "PID org.rawsockets.socket.policy (" + home.resolve(POLICY) + ")";
        assertOneLine(log, "ERROR", "configuration rejected: " + policy
                + " field 'defaultGrants' = 'ture': not a boolean; rule: true or false; using false");
        assertOneLine(log, "ERROR", "configuration rejected: " + policy + " grant 'bad' = 'org.example tcpx * 80'");
        assertOneLine(log, "WARN", "configuration " + policy
                + ": unknown key 'defaultGrant' is ignored; did you mean 'defaultGrants'?");
        assertOneLine(log, "ERROR", "configuration rejected: PID org.rawsockets.socket.endpoint~c ("
                + home.resolve("etc/org.rawsockets.socket.endpoint-c.cfg")
                + ") field 'port' = 'abc': not a whole number; rule: a whole number in 1..65535");
        assertOneLine(log, "WARN", "unknown key 'hots' is ignored; did you mean 'host'?");
        String duplicate = assertOneLine(log, "ERROR", "field 'name' = 'mail': already the name of the endpoint of PID"
                + " org.rawsockets.socket.endpoint~");
        assertTrue(duplicate.contains("endpoint-a.cfg") && duplicate.contains("endpoint-b.cfg"),
                "the refused configuration and the first one are both named: " + duplicate);
        // Not a stack trace: no exception lines, in the log or on the console.
        for (String line : log) {
            assertFalse(line.startsWith("\tat ") || line.contains("Exception:"), "stack trace in the log: " + line);
        }
        assertFalse(r.stderr().contains("\tat ") || r.stdout().contains("\tat "), r.toString());
    }

    // ---------------------------------------------------------------------------------------------

    /** A copy of the distribution with the protocol bundles of bundles/ in deploy/. */
    static Path protocolGateway(TestInfo info) throws IOException {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        int n = 0;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "{modbus,smtp}-*.jar")) {
            for (Path jar : jars) {
                Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
                n++;
            }
        }
        assertEquals(2, n, "bundles/ holds the modbus and smtp bundles (built with the launcher)");
        return home;
    }

    /** The one line of {@code level} that contains {@code text}; fails when there is none or several. */
    private static String assertOneLine(List<String> log, String level, String text) {
        List<String> hits = log.stream().filter(l -> l.contains(" " + level + " ") && l.contains(text))
                .collect(Collectors.toList());
        assertEquals(1, hits.size(), level + " lines containing '" + text + "':\n" + String.join("\n", hits)
                + "\n--- log:\n" + String.join("\n", log));
        return hits.get(0);
    }
}
