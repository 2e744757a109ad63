package org.rawsockets.print.internal.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rawsockets.dnssd.ServiceInfo;
import org.rawsockets.print.PrintConnectionException;
import org.rawsockets.print.internal.PrinterUri;

/** dnssd: URIs in the configuration, and resolved instances turned into printer URIs by type. */
class DnsSdUriTest {

    @Test
    void dnssdUrisNameAnInstance() {
        PrinterUri u = PrinterUri.parse("dnssd:Office Printer 2.1._ipp._tcp.local");
        assertEquals("dnssd", u.scheme());
        assertEquals("Office Printer 2.1._ipp._tcp.local", u.host());
        assertEquals("dnssd:Office Printer 2.1._ipp._tcp.local", u.text());
        assertEquals(u, PrinterUri.parse("DNSSD://Office Printer 2.1._ipp._tcp.local"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrinterUri.parse("dnssd:office"));
        assertTrue(e.getMessage().contains("dnssd:<instance>._ipp._tcp.local"), e.getMessage());
    }

    static ServiceInfo info(String type, int port, Map<String, String> txt, String... addresses) {
        return new ServiceInfo("P." + type + ".local", "P", type, "local", "p.local", port, txt, List.of(addresses));
    }

    @Test
    void eachPrinterTypeBecomesItsUri() throws Exception {
        assertEquals("ipp://192.0.2.7:631/ipp/print", DnsSdDiscoveryComponent.uri(info("_ipp._tcp", 631,
                Map.of("rp", "ipp/print"), "192.0.2.7", "2001:db8::7")).text());
        assertEquals("ipps://[2001:db8::7]:443/printers/a", DnsSdDiscoveryComponent.uri(info("_ipps._tcp", 443,
                Map.of("rp", "printers/a"), "2001:db8::7")).text());
        assertEquals("lpd://192.0.2.7:515/lp1", DnsSdDiscoveryComponent.uri(info("_printer._tcp", 515, Map.of("rp", "lp1"),
                "192.0.2.7")).text());
        assertEquals("socket://192.0.2.7:9100", DnsSdDiscoveryComponent.uri(info("_pdl-datastream._tcp", 9100, Map.of(),
                "192.0.2.7")).text());
        assertThrows(PrintConnectionException.class, () -> DnsSdDiscoveryComponent.uri(info("_http._tcp", 80, Map.of(),
                "192.0.2.7")));
        assertThrows(PrintConnectionException.class, () -> DnsSdDiscoveryComponent.uri(info("_ipp._tcp", 631, Map.of())));
    }
}
