package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapLink;
import org.rawsockets.coap.CoapProtocolException;
import org.rawsockets.coap.CoapResponse;

/** {@code /.well-known/core} discovery parsed into CoRE links (RFC 6690). */
class DiscoveryTest extends CoapTestSupport {

    @Test
    void libcoapResourcesWithAttributesAndQueryFilter() throws Exception {
        Libcoap server = libcoap();
        CoapClientImpl c = client(server);
        List<CoapLink> links = await(c.discover(""));
        CoapLink time = links.stream().filter(l -> l.uri().equals("/time")).findFirst()
                .orElseThrow(() -> new AssertionError("no /time in " + links + "\n" + server.log()));
        assertEquals(List.of("ticks"), time.attributes().get("rt"));
        assertEquals(List.of("clock"), time.attributes().get("if"));
        assertEquals(List.of("Internal Clock"), time.attributes().get("title"));
        assertTrue(time.observable());
        assertTrue(links.stream().anyMatch(l -> l.uri().equals("/example_data") && l.observable()), links.toString());
        // the device filters by the query (RFC 6690 section 4.1)
        List<CoapLink> ticks = await(c.discover("rt=ticks"));
        assertEquals(List.of("/time"), ticks.stream().map(CoapLink::uri).toList());
    }

    @Test
    void californiumServerListsItsResources() throws Exception {
        CaliforniumServer server = closing(new CaliforniumServer(new ObserveTest.Counter("counter", 60)));
        List<CoapLink> links = await(client(CoapSettings.of("cf", "127.0.0.1", server.port())).discover(""));
        assertTrue(links.stream().anyMatch(l -> l.uri().equals("/counter") && l.observable()), links.toString());
    }

    @Test
    void notLinkFormatIsATypedError() {
        CoapResponse json = new CoapResponse("2.05", 50, -1, 60, "{}".getBytes(StandardCharsets.UTF_8));
        CompletionException e = assertThrows(CompletionException.class, () -> Links.parse("coap d: discover", json));
        assertTrue(e.getCause() instanceof CoapProtocolException);
        assertTrue(e.getCause().getMessage().contains("expected Content-Format 40"), e.getCause().getMessage());
        CoapResponse garbage = new CoapResponse("2.05", 40, -1, 60, "hello".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(CompletionException.class, () -> Links.parse("coap d: discover", garbage));
        assertTrue(e.getCause().getMessage().contains("not a CoRE link-format document"), e.getCause().getMessage());
        CoapResponse notFound = new CoapResponse("4.04", 0, -1, 60, new byte[0]);
        e = assertThrows(CompletionException.class, () -> Links.parse("coap d: discover", notFound));
        assertTrue(e.getCause().getMessage().contains("answered 4.04"), e.getCause().getMessage());
    }
}
