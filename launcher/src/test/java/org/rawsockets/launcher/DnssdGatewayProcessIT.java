package org.rawsockets.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The DNS-SD bundle deployed alone into a running gateway (issue 15): copied into {@code deploy/},
 * configured from {@code etc/org.rawsockets.dnssd.cfg}, its shell commands answer; with the default
 * policy a browse is refused before any packet leaves (binding 0.0.0.0:5353 is a built-in denial),
 * and the refusal names the grant to add. Multicast itself is tested in protocols/dnssd inside a
 * network namespace; this test sends nothing.
 */
class DnssdGatewayProcessIT {

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void dnssdDeploysAloneIsConfiguredFromEtcAndARefusedBindNamesTheGrant(TestInfo info) throws Exception {
        Path home = GatewayProcessIT.copyDistribution(info);
        Path jar = dnssdBundle();
        GatewayProcessIT.writeAtomically(home.resolve("etc/org.rawsockets.dnssd.cfg"), String.join("\n",
                "multicastInterface=lo", "timeoutMillis=3000", ""));
        Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
        try (EndpointGatewayProcessIT.Shell shell = new EndpointGatewayProcessIT().new Shell(home)) {
            processes.add(shell.g.process);
            shell.await("dnssd:status", out -> out.contains("interface lo, socket closed"));
            String browse = shell.run("dnssd:browse _ipp._tcp 1");
            assertTrue(browse.contains("DnsSdNetworkException") && browse.contains("cannot bind UDP port 5353")
                    && browse.contains("0.0.0.0"), browse);
            String bad = shell.run("dnssd:browse printers 1");
            assertTrue(bad.contains("is not a DNS-SD service type"), bad);
        }
    }

    static Path dnssdBundle() throws IOException {
        Path bundles = Paths.get(System.getProperty("gateway.dir"), "bundles");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "dnssd-*.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        }
        throw new AssertionError("no dnssd bundle in " + bundles + " (the launcher's provided dependency on dnssd builds it)");
    }
}
