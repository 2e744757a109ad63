package org.rawsockets.dnssd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mDNS client against Avahi (avahi-daemon, avahi-publish, avahi-browse) and ippeveprinter's own
 * DNS-SD registration, all inside a network namespace the test creates ({@link AvahiNamespace});
 * the client runs in a child JVM inside it ({@link NamespaceProbe}). Multicast TTL 1 on {@code lo},
 * the namespace's only interface: nothing leaves it.
 */
class AvahiBrowseTest {

    static final Duration LIMIT = Duration.ofSeconds(60);

    AvahiNamespace ns;
    AvahiNamespace.Probe probe;

    @BeforeEach
    void start() throws Exception {
        ns = new AvahiNamespace();
        probe = ns.probe();
        probe.await("probe ready", 0, LIMIT, l -> l.equals("READY"));
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

    Process publish(String what, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("avahi-publish", "-s"));
        cmd.addAll(List.of(args));
        Process p = ns.start(what, cmd);
        ns.waitForLog(what + " established", p, what, l -> l.contains("Established under name"));
        return p;
    }

    @Test
    void browseFindsAvahiPublishAndIppEvePrinterResolvesThemAndReportsGone() throws Exception {
        Process published = publish("publish", "Rawsockets Test Printer 1.0", "_ipp._tcp", "8631", "rp=ipp/print",
                "ty=Test Printer", "Color");
        Process eve = ns.start("ippeveprinter", List.of("ippeveprinter", "-p", "8632", "-c", "/bin/true", "-d",
                ns.dir.toString(), "-n", "localhost", "rawsockets-eve"));
        assertTrue(eve.isAlive(), "ippeveprinter: " + AvahiNamespace.tail(ns.log("ippeveprinter")));

        probe.send("browse _ipp._tcp");
        String found = probe.await("FOUND of the avahi-publish service", 0, LIMIT,
                l -> l.startsWith("EVENT _ipp._tcp.local FOUND Rawsockets Test Printer 1\\.0._ipp._tcp.local|")
                        || l.startsWith("EVENT _ipp._tcp.local UPDATED Rawsockets Test Printer 1\\.0._ipp._tcp.local|")
                                && l.contains("|8631|"));
        assertTrue(found.contains("Rawsockets Test Printer 1\\.0"), found);
        probe.await("ippeveprinter's own registration (log:\n" + AvahiNamespace.tail(ns.log("ippeveprinter")) + ")", 0, LIMIT,
                l -> l.startsWith("EVENT _ipp._tcp.local ") && l.contains(" rawsockets-eve._ipp._tcp.local|")
                        && l.contains("|8632|"));

        probe.send("resolve Rawsockets Test Printer 1\\.0._ipp._tcp.local");
        String resolved = probe.await("resolve", 0, LIMIT, l -> l.startsWith("RESOLVED ") || l.startsWith("ERROR resolve"));
        assertTrue(resolved.startsWith("RESOLVED Rawsockets Test Printer 1\\.0._ipp._tcp.local|"), resolved);
        String[] f = resolved.substring("RESOLVED ".length()).split("\\|");
        assertTrue(f[1].endsWith(".local"), "host " + f[1]);
        assertEquals("8631", f[2]);
        assertEquals("{rp=ipp/print, ty=Test Printer, Color=}", f[3]);
        // Avahi publishes 127.0.0.1 and ::1 for its host on lo; a resolve completes with the first address
        // known, so ::1 is there only when it came in the same answer
        assertTrue(f[4].equals("[127.0.0.1]") || f[4].equals("[127.0.0.1, ::1]"), f[4]);

        // the same instance resolved by ippeveprinter's TXT, cross-checked with avahi-browse
        probe.send("resolve rawsockets-eve._ipp._tcp.local");
        String eveResolved = probe.await("resolve ippeveprinter", 0, LIMIT, l -> l.startsWith("RESOLVED rawsockets-eve")
                || l.startsWith("ERROR resolve"));
        String avahiBrowse = ns.ns("avahi-browse", "-trpk", "_ipp._tcp");
        String avahiLine = avahiBrowse.lines().filter(l -> l.startsWith("=") && l.contains(";rawsockets-eve;"))
                .findFirst().orElseThrow(() -> new AssertionError("avahi-browse did not resolve rawsockets-eve:\n" + avahiBrowse));
        assertTrue(avahiLine.contains(";8632;"), avahiLine);
        for (String kv : avahiLine.substring(avahiLine.indexOf(";8632;") + 6).split("\" \"")) {
            String pair = kv.replace("\"", "");
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            assertTrue(eveResolved.contains(key + "="), "TXT key " + key + " from avahi-browse missing in " + eveResolved);
        }

        // avahi-publish ends (SIGTERM): Avahi sends goodbyes, the browse reports the instance gone
        int mark = probe.mark();
        AvahiNamespace.stop(published);
        probe.await("GONE after avahi-publish ended", mark, LIMIT,
                l -> l.startsWith("EVENT _ipp._tcp.local GONE Rawsockets Test Printer 1\\.0._ipp._tcp.local|"));
        probe.send("status");
        String status = probe.await("status", 0, LIMIT, l -> l.startsWith("STATUS"));
        assertTrue(status.contains("malformedMessages=0"), status);
    }

    @Test
    void laterQueriesCarryKnownAnswersAndTheFirstResolveAsksForUnicast() throws Exception {
        publish("publish", "Known Answer Printer", "_ipp._tcp", "9100");
        probe.send("capture");
        probe.await("capture socket", 0, LIMIT, l -> l.equals("CAPTURING"));
        probe.send("browse _ipp._tcp");
        probe.await("FOUND", 0, LIMIT, l -> l.startsWith("EVENT _ipp._tcp.local FOUND Known Answer Printer._ipp._tcp.local|"));
        int mark = probe.mark();
        // the next browse query (1 s, 2 s, 4 s ... after the first) lists the instance as a known answer
        String q = probe.await("a browse query with the known answer", mark, LIMIT,
                l -> l.startsWith("QUERY _ipp._tcp.local PTR QM;|") && l.contains("Known Answer Printer._ipp._tcp.local;"));
        assertTrue(q.contains("|Known Answer Printer._ipp._tcp.local;"), q);

        mark = probe.mark();
        probe.send("resolve missing one._ipp._tcp.local");
        probe.await("a QU question for the resolve", mark, LIMIT,
                l -> l.startsWith("QUERY missing one._ipp._tcp.local SRV QU;"));
        String err = probe.await("resolve of an unpublished instance times out", mark, LIMIT,
                l -> l.startsWith("ERROR resolve"));
        assertTrue(err.startsWith("ERROR resolve DnsSdTimeoutException: resolve missing one._ipp._tcp.local on interface lo:"
                + " no SRV record answered within 3000 ms"), err);
    }

    @Test
    void oneShotQueryTtlExpiryAndMalformedPackets() throws Exception {
        publish("publish", "Query Target", "_http._tcp", "8080");
        String host = ns.avahiLog().lines().filter(l -> l.contains("Host name is ")).findFirst().orElseThrow();
        String hostName = host.substring(host.indexOf("Host name is ") + 13, host.indexOf(". Local service"));
        probe.send("query " + hostName + " A");
        String answered = probe.await("one-shot query answered", 0, LIMIT, l -> l.startsWith("ANSWERED") || l.startsWith("ERROR"));
        assertEquals("ANSWERED 1", answered, probe.transcript());
        assertTrue(probe.transcript().contains("ANSWER " + hostName + " "), probe.transcript());
        assertTrue(probe.transcript().contains(" A 127.0.0.1"), probe.transcript());

        // a record whose TTL runs out without a goodbye is reported gone; a looping packet changes nothing
        probe.send("browse _expiry._tcp");
        probe.send("garbage");
        probe.await("garbage sent", 0, LIMIT, l -> l.startsWith("SENT"));
        int mark = probe.mark();
        // a response from a port other than 5353 is ignored (RFC 6762 §6); loopback delivers the two
        // packets in the order sent, so when the second one's FOUND is there the first was handled
        probe.send("announce-wrong-port Wrong Port._expiry._tcp.local 7001 120");
        probe.send("announce Short Lived._expiry._tcp.local 7000 2");
        String found = probe.await("FOUND of a 2 s record", mark, LIMIT,
                l -> l.startsWith("EVENT _expiry._tcp.local FOUND Short Lived._expiry._tcp.local|"));
        assertTrue(!probe.transcript().contains("Wrong Port._expiry"), probe.transcript());
        long t0 = System.nanoTime();
        probe.await("GONE when its TTL ran out", mark, LIMIT,
                l -> l.startsWith("EVENT _expiry._tcp.local GONE Short Lived._expiry._tcp.local|"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 30_000, "gone after " + ms + " ms: " + found);
        probe.send("status");
        String status = probe.await("status", mark, LIMIT, l -> l.startsWith("STATUS"));
        assertTrue(status.contains("malformedMessages=1"), status);
        assertTrue(status.contains("lastError=from 127.0.0.1"), status);
    }

    @Test
    void shellBrowseAndResolveOnTheRealClient() throws Exception {
        publish("publish", "Shell Printer", "_ipp._tcp", "631", "rp=ipp/print");
        probe.send("shell-browse _ipp._tcp 6");
        probe.await("shell browse done", 0, LIMIT, l -> l.equals("SHELL-END"));
        String t = probe.transcript();
        assertTrue(t.contains("SHELL found Shell Printer._ipp._tcp.local"), t);
        assertTrue(t.contains("SHELL 1 instance(s) of _ipp._tcp.local after 6 s"), t);
        int mark = probe.mark();
        probe.send("shell-resolve Shell Printer._ipp._tcp.local");
        probe.await("shell resolve done", mark, LIMIT, l -> l.equals("SHELL-END"));
        t = probe.transcript();
        assertTrue(t.contains("SHELL   addresses 127.0.0.1"), t);
        assertTrue(t.contains("SHELL   txt       rp=ipp/print"), t);
        assertTrue(t.matches("(?s).*SHELL   host      [^\\n]+\\.local:631.*"), t);
    }

    @Test
    void theDocumentedGrantsAreEnoughUnderTheRealPolicy() throws Exception {
        publish("publish", "Granted Printer", "_ipp._tcp", "631");
        AvahiNamespace.Probe granted = ns.probe("policy");
        granted.await("policy probe ready", 0, LIMIT, l -> l.equals("READY"));
        granted.send("browse _ipp._tcp");
        granted.await("FOUND under the documented grants", 0, LIMIT,
                l -> l.startsWith("EVENT _ipp._tcp.local FOUND Granted Printer._ipp._tcp.local|"));
        granted.send("resolve Granted Printer._ipp._tcp.local");
        String r = granted.await("resolve under the documented grants", 0, LIMIT,
                l -> l.startsWith("RESOLVED") || l.startsWith("ERROR"));
        assertTrue(r.startsWith("RESOLVED Granted Printer._ipp._tcp.local|"), r);
        granted.send("quit");

        // without the grant to send to the group, a query is refused by the policy before it leaves
        AvahiNamespace.Probe refused = ns.probe("policy-nosend");
        refused.await("second policy probe ready", 0, LIMIT, l -> l.equals("READY"));
        refused.send("query nobody-here.local A");
        long until = System.nanoTime() + LIMIT.toNanos();
        String status;
        do {
            int mark = refused.mark();
            refused.send("status");
            status = refused.await("status", mark, LIMIT, l -> l.startsWith("STATUS"));
        } while (!status.contains("sending a query failed") && System.nanoTime() < until);
        assertTrue(status.contains("sending a query failed") && status.contains("224.0.0.251"), status);
        refused.send("quit");
    }
}
