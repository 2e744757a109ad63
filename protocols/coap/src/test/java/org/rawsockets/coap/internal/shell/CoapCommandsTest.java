package org.rawsockets.coap.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapClient;
import org.rawsockets.coap.internal.CoapTestAccess;

/** The coap shell commands against libcoap's coap-server-notls. */
class CoapCommandsTest extends CoapTestAccess {

    @Test
    void getPutPostDeleteDiscoverObserve() throws Exception {
        CoapTestAccess.Server server = libcoapServer();
        CoapClient dev = device("lab", server.port());
        CoapCommands shell = new CoapCommands(List.of(dev));
        String got = shell.get(false, -1, "lab", "/");
        assertTrue(got.startsWith("2.05 ") && got.contains("libcoap"), got);
        assertTrue(shell.put(0, false, "lab", "/example_data", "hello").startsWith("2.01"));
        assertTrue(shell.get(true, -1, "lab", "/example_data").contains("hello"));
        assertTrue(shell.post(0, false, "lab", "/", "x").startsWith("4.05"));
        assertTrue(shell.put(0, true, "lab", "/made", "tmp").startsWith("2.01"));
        assertTrue(shell.delete("lab", "/made").startsWith("2.02"));
        assertTrue(shell.get(false, -1, "lab", "/made").startsWith("4.04"));
        String links = shell.discover("lab", "rt=ticks");
        assertEquals("/time  ct=0  if=clock  obs  rt=ticks  title=Internal Clock\n1 resource(s) on lab\n", links);
        assertTrue(shell.discover("lab").contains("/example_data"));
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        String summary;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            summary = shell.observe(2, "lab", "/time");
        } finally {
            System.setOut(old);
        }
        assertEquals("2 notification(s) of /time on lab\n", summary);
        String lines = buf.toString(StandardCharsets.UTF_8);
        assertEquals(2, lines.lines().filter(l -> l.startsWith("2.05 observe=")).count(), lines);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shell.get(false, -1, "nope",
                "/"));
        assertEquals("no CoAP device named 'nope'; configured: lab", e.getMessage());
        assertTrue(shell.devices().startsWith("lab  127.0.0.1:" + server.port() + "  open"), shell.devices());
    }

    @Test
    void groupdiscoverWithoutTheServiceOrWithNegativeBoundsSaysWhy() {
        CoapCommands shell = new CoapCommands(List.of(), null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> shell.groupdiscover(0, 0));
        assertEquals("no CoAP multicast discovery service (component org.rawsockets.coap.discovery is not active; see"
                + " scr:info for why)", e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> shell.groupdiscover(-5, 0, "rt=x"));
        assertEquals("-w (window, ms) and -m (servers) must be positive, were -5 and 0", bad.getMessage());
    }
}
