package org.rawsockets.print.internal.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rawsockets.dnssd.internal.AvahiNamespace;

/**
 * print:discover and printers configured by DNS-SD instance name, against ippeveprinter registering
 * itself through Avahi and a service published with avahi-publish, in a network namespace the test
 * creates (protocols/dnssd's {@link AvahiNamespace}); the print side runs in a child JVM inside it
 * ({@link PrintDiscoveryProbe}) with the real DNS-SD client.
 */
class PrintDiscoveryTest {

    static final Duration LIMIT = Duration.ofSeconds(60);

    AvahiNamespace ns;
    AvahiNamespace.Probe probe;

    @BeforeEach
    void start() throws Exception {
        ns = new AvahiNamespace();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (probe != null && probe.process.isAlive()) {
                probe.send("quit");
            }
        } finally {
            ns.close();
        }
    }

    @Test
    void aPrinterConfiguredByInstanceNameIsResolvedAtUseAndDiscoverListsEveryPrinter() throws Exception {
        Process eve = ns.start("ippeveprinter", List.of("ippeveprinter", "-p", "8633", "-c", "/bin/true", "-d",
                ns.dir.toString(), "-n", "localhost", "rawsockets-eve"));
        Process raw = ns.start("publish-raw", List.of("avahi-publish", "-s", "Raw Label Printer", "_pdl-datastream._tcp",
                "9100", "ty=Label Printer 4000"));
        ns.waitForLog("avahi-publish established", raw, "publish-raw", l -> l.contains("Established under name"));
        assertTrue(eve.isAlive(), AvahiNamespace.Probe.class.getName());

        probe = ns.jvm(PrintDiscoveryProbe.class.getName());
        probe.await("probe ready", 0, LIMIT, l -> l.equals("READY"));
        probe.send("printer eve dnssd:rawsockets-eve._ipp._tcp.local");
        probe.await("configured", 0, LIMIT, l -> l.equals("CONFIGURED eve"));
        // resolved at use: Get-Printer-Attributes over IPP at the address and port DNS-SD gave
        probe.send("attrs eve printer-name");
        String attr = probe.await("attributes through the resolved URI (ippeveprinter log:\n"
                + tail("ippeveprinter") + ")", 0, LIMIT, l -> l.startsWith("ATTR ") || l.startsWith("ERROR"));
        assertEquals("ATTR printer-name=rawsockets-eve", attr, probe.transcript());
        probe.send("uri eve");
        String uri = probe.await("uri", 0, LIMIT, l -> l.startsWith("URI "));
        assertEquals("URI dnssd:rawsockets-eve._ipp._tcp.local -> ipp://127.0.0.1:8633/ipp/print", uri);

        // without the DNS-SD bundle a dnssd: printer says what is missing
        probe.send("nodiscovery lonely dnssd:rawsockets-eve._ipp._tcp.local");
        probe.await("configured", 0, LIMIT, l -> l.equals("CONFIGURED lonely"));
        probe.send("attrs lonely printer-name");
        String err = probe.await("error without discovery", 0, LIMIT, l -> l.startsWith("ERROR attrs"));
        assertTrue(err.contains("PrintConnectionException") && err.contains("no DNS-SD service")
                && err.contains("org.rawsockets.dnssd"), err);

        probe.send("discover 6");
        probe.await("discover", 0, LIMIT, l -> l.equals("DISCOVER-END"));
        String t = probe.transcript();
        assertTrue(t.matches("(?s).*DISCOVER rawsockets-eve\\._ipp\\._tcp\\.local +_ipp\\._tcp +ipp://127\\.0\\.0\\.1:8633/ipp/print"
                + " +configured as eve,lonely.*"), t);
        assertTrue(t.matches("(?s).*DISCOVER Raw Label Printer\\._pdl-datastream\\._tcp\\.local +_pdl-datastream\\._tcp"
                + " +socket://127\\.0\\.0\\.1:9100 +not configured \\(Label Printer 4000\\).*"), t);
    }

    String tail(String log) {
        try {
            return String.join("\n", java.nio.file.Files.readAllLines(ns.log(log)));
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }
}
