package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multicast discovery against two real libcoap servers ({@code coap-server-notls -g 224.0.1.187 -G
 * lo}) in a network namespace with only {@code lo} ({@link CoapNamespace}: the servers answer from
 * 127.0.0.1:5683 and 127.0.0.2:5683); the client runs in a child JVM inside it ({@link GroupProbe})
 * with a real socket service, multicast interface {@code lo}, TTL 1. libcoap delays its answers to a
 * multicast request by a random time up to its Leisure (5 s), hence windows of 8 s.
 */
class MulticastDiscoveryTest {

    static final String WINDOW = "8000";
    static final String SERVER_A = "127.0.0.1:5683";
    static final String SERVER_B = "127.0.0.2:5683";

    static CoapNamespace ns;

    @BeforeAll
    static void servers() throws Exception {
        ns = new CoapNamespace();
        ns.server("server-a", false, CoapNamespace.GROUP);
        ns.server("server-b", true, CoapNamespace.GROUP);
    }

    @AfterAll
    static void stop() {
        if (ns != null) {
            ns.close();
        }
    }

    static String logs() {
        return "\n" + ns.logText("server-a") + "\n" + ns.logText("server-b");
    }

    static List<String> lines(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    static long doneMillis(String out) {
        String done = lines(out, "DONE ").stream().findFirst().orElseThrow(() -> new AssertionError("no DONE: " + out));
        return Long.parseLong(done.split(" ")[2]);
    }

    @Test
    void bothServersAnswerWithTheirResources() throws Exception {
        String out = ns.probe("api", CoapNamespace.GROUP, "5683", WINDOW, "64");
        assertEquals(List.of("SERVER " + SERVER_A + " 4", "SERVER " + SERVER_B + " 4"),
                lines(out, "SERVER ").stream().sorted().toList(), out + logs());
        for (String server : List.of(SERVER_A, SERVER_B)) {
            List<String> links = lines(out, "LINK " + server + " ");
            assertEquals(List.of("LINK " + server + " / ct=0 title=General Info",
                    "LINK " + server + " /async ct=0",
                    "LINK " + server + " /example_data ct=0 obs= title=Example Data",
                    "LINK " + server + " /time ct=0 if=clock obs= rt=ticks title=Internal Clock"),
                    links.stream().sorted().toList(), out);
        }
        assertEquals("DONE 2", out.lines().filter(l -> l.startsWith("DONE ")).findFirst().orElseThrow().substring(0, 6));
        // fewer than 64 servers: the discovery lasted the whole window
        assertTrue(doneMillis(out) >= 8000, out);
        // what the servers received: one NON GET of /.well-known/core each, from the group
        for (String log : List.of("server-a", "server-b")) {
            String text = ns.logText(log);
            assertTrue(text.contains("[::ffff:224.0.1.187]:5683 <-> [::ffff:127.0.0.1]:")
                    && text.contains("t:NON c:GET") && text.contains("Uri-Path:.well-known, Uri-Path:core"), text);
        }
    }

    @Test
    void blockWiseAnswersAreCompletedByUnicast() throws Exception {
        // the request asks for 64-byte blocks (RFC 7959 early negotiation): libcoap's ~150-byte listing
        // comes as block 0 with more to follow, and the rest is fetched by unicast from each server
        String out = ns.probe(Map.of("BLOCK_SIZE", "64"), "api", CoapNamespace.GROUP, "5683", WINDOW, "64");
        assertEquals(List.of("SERVER " + SERVER_A + " 4", "SERVER " + SERVER_B + " 4"),
                lines(out, "SERVER ").stream().sorted().toList(), out + logs());
        assertTrue(lines(out, "LINK " + SERVER_B + " ").contains(
                "LINK " + SERVER_B + " /time ct=0 if=clock obs= rt=ticks title=Internal Clock"), out);
        for (String log : List.of("server-a", "server-b")) {
            assertTrue(ns.logText(log).contains("Uri-Path:.well-known, Uri-Path:core, Accept:application/link-format,"
                    + " Block2:0/_/64 ]"), ns.logText(log));
            assertTrue(ns.logText(log).contains("Block2:0/M/64"), ns.logText(log));
        }
        // the follow-ups: a confirmable unicast GET of the document per server (libcoap: both reach the
        // server bound last, which answers from the address each was sent to)
        assertEquals(2, logs().lines().filter(l -> l.matches("v:1 t:CON c:GET i:\\p{XDigit}+ \\{\\p{XDigit}+\\}"
                + " \\[ Uri-Path:.well-known, Uri-Path:core, Accept:application/link-format \\]")).count(), logs());
    }

    @Test
    void queryFilterReachesTheServers() throws Exception {
        String out = ns.probe("api", CoapNamespace.GROUP, "5683", WINDOW, "64", "rt=ticks");
        assertEquals(List.of("LINK " + SERVER_A + " /time ct=0 if=clock obs= rt=ticks title=Internal Clock",
                "LINK " + SERVER_B + " /time ct=0 if=clock obs= rt=ticks title=Internal Clock"),
                lines(out, "LINK ").stream().sorted().toList(), out + logs());
        // libcoap answers a filter matching nothing with an empty 2.05: such servers are not listed
        String none = ns.probe("api", CoapNamespace.GROUP, "5683", WINDOW, "64", "rt=no-such-type");
        assertEquals(List.of(), lines(none, "SERVER "), none);
        assertTrue(none.contains("DONE 0 "), none);
    }

    @Test
    void responseLimitEndsTheDiscoveryEarly() throws Exception {
        String out = ns.probe("api", CoapNamespace.GROUP, "5683", "30000", "1");
        List<String> servers = lines(out, "SERVER ");
        assertEquals(1, servers.size(), out + logs());
        assertTrue(servers.get(0).equals("SERVER " + SERVER_A + " 4") || servers.get(0).equals("SERVER " + SERVER_B + " 4"),
                out);
        // the first answer comes within the servers' Leisure (5 s), far before the 30 s window
        assertTrue(doneMillis(out) < 20_000, out);
    }

    @Test
    void nobodyAnsweringIsAnEmptyListAfterTheWindow() throws Exception {
        // nobody listens on port 5684 of the group
        String out = ns.probe("api", CoapNamespace.GROUP, "5684", "1500", "64");
        assertEquals(List.of(), lines(out, "SERVER "), out);
        assertTrue(out.contains("DONE 0 "), out);
        assertTrue(doneMillis(out) >= 1500, out);
        // with maxRunning 1, a second discovery while the first runs is refused at once
        String busy = ns.probe("busy", CoapNamespace.GROUP, "5684", "1500", "64");
        assertEquals(List.of("BUSY CoapException: coap discovery 224.0.1.187:5684 on lo: 1 discoveries are running"
                + " already (maxRunning); wait for one to end"), lines(busy, "BUSY "), busy);
        assertTrue(busy.contains("DONE 0 "), busy);
    }

    @Test
    void shellCommandListsTheServersAndTheirLinks() throws Exception {
        String out = ns.probe("shell", CoapNamespace.GROUP, "5683", WINDOW, "64", "rt=ticks");
        assertEquals(List.of("SHELL coap://" + SERVER_A + "  1 resource(s)",
                "SHELL   /time  ct=0  if=clock  obs  rt=ticks  title=Internal Clock",
                "SHELL coap://" + SERVER_B + "  1 resource(s)",
                "SHELL   /time  ct=0  if=clock  obs  rt=ticks  title=Internal Clock",
                "SHELL 2 server(s) answered on 224.0.1.187:5683 on lo within 8000 ms"), out.lines().toList(), out + logs());
    }

    @Test
    void thePolicyDecidesTheSendAndWhichServersAreHeard() throws Exception {
        String bind = "org.rawsockets.coap udp-bound 0.0.0.0 *";
        String send = "org.rawsockets.coap udp-bound 224.0.1.187 5683";
        String fromA = "org.rawsockets.coap udp-bound 127.0.0.1 5683";
        // answers are accepted from 127.0.0.1 only: server B's is dropped by the socket service
        String out = ns.probe(Map.of("GRANTS", String.join(";", bind, send, fromA)), "policy", CoapNamespace.GROUP,
                "5683", WINDOW, "64");
        assertEquals(List.of("SERVER " + SERVER_A + " 4"), lines(out, "SERVER "), out + logs());
        // without the grant to send to the group the request never leaves: a typed error naming the group
        String refused = ns.probe(Map.of("GRANTS", String.join(";", bind, fromA)), "policy", CoapNamespace.GROUP,
                "5683", "1500", "64");
        String err = lines(refused, "ERROR ").stream().findFirst().orElseThrow(() -> new AssertionError(refused));
        assertTrue(err.startsWith("ERROR CoapTransportException: coap discovery 224.0.1.187:5683 on lo: NON GET"
                + " /.well-known/core: cannot send the request to the group: ") && err.endsWith("(the policy needs a udp-bound"
                + " grant for 224.0.1.187 port 5683) | cause NotAllowedException"),
                err);
    }
}
