package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapMethod;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;

/** Every method, CON and NON, against libcoap's coap-server-notls; coap-client-notls as cross-check. */
class LibcoapMethodsTest extends CoapTestSupport {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void getConfirmableAndNonConfirmable() throws Exception {
        Libcoap server = libcoap();
        CoapClientImpl c = client(server);
        try {
            CoapResponse con = await(c.get("/"));
            assertEquals("2.05", con.code(), server.log());
            assertTrue(con.text().contains("libcoap"), con.text());
            CoapResponse non = await(c.send(CoapRequest.get("/").withConfirmable(false)));
            assertEquals("2.05", non.code());
            assertEquals(con.text(), non.text());
            CoapResponse missing = await(c.get("/no/such/resource"));
            assertEquals("4.04", missing.code());
        } catch (AssertionError | Exception e) {
            System.err.println(server.log());
            throw e;
        }
    }

    @Test
    void putPostFetchDeleteWithCrossCheck() throws Exception {
        Libcoap server = libcoap();
        CoapClientImpl c = client(server);
        try {
            // PUT through this client, read by coap-client
            // example_data starts empty: the first PUT creates (2.01), the next one changes (2.04)
            assertEquals("2.01", await(c.put("/example_data", utf8("first"), CoapRequest.TEXT_PLAIN)).code());
            assertEquals("2.04", await(c.put("/example_data", utf8("from-rawsockets"), CoapRequest.TEXT_PLAIN)).code());
            Libcoap.Result read = server.client("/example_data");
            assertEquals(0, read.exit(), read.output());
            assertTrue(read.output().contains("from-rawsockets"), read.output());
            // PUT by coap-client, read through this client (NON this time)
            assertEquals(0, server.client("/example_data", "-m", "put", "-e", "from-libcoap").exit());
            CoapResponse got = await(c.send(CoapRequest.get("/example_data").withConfirmable(false)));
            assertEquals("from-libcoap", got.text());
            // FETCH (RFC 8132): libcoap 4.3's example server has no FETCH handler and says so (a GET
            // would be 2.05, so this shows the method code went out as FETCH); coap-client agrees.
            // A FETCH with a 2.05 answer: CaliforniumServerTest.
            CoapResponse fetched = await(c.send(CoapRequest.of(CoapMethod.FETCH, "/example_data")
                    .withPayload(utf8("q"), CoapRequest.TEXT_PLAIN)));
            assertEquals("4.05", fetched.code(), fetched.text());
            assertTrue(server.client("/example_data", "-m", "fetch", "-e", "q").output().contains("4.05"));
            // dynamic resource (-d): PUT creates, DELETE removes, NON PUT works too
            assertEquals("2.01", await(c.send(CoapRequest.of(CoapMethod.PUT, "/dyn/one").withConfirmable(false)
                    .withPayload(utf8("dynamic"), CoapRequest.TEXT_PLAIN))).code());
            assertEquals("dynamic", await(c.get("/dyn/one")).text());
            assertEquals("2.02", await(c.delete("/dyn/one")).code());
            assertEquals("4.04", await(c.get("/dyn/one")).code());
            // POST: libcoap's root resource has no POST handler, the answer is a response, not an error
            CoapResponse post = await(c.post("/", utf8("x"), CoapRequest.TEXT_PLAIN));
            assertEquals("4.05", post.code());
        } catch (AssertionError | Exception e) {
            System.err.println(server.log());
            throw e;
        }
    }

    @Test
    void oneMebibyteBothWaysBlockwise() throws Exception {
        Libcoap server = libcoap();
        CoapClientImpl c = client(server);
        byte[] body = CaliforniumServerTest.random(CaliforniumServerTest.MIB, 99);
        try {
            CoapResponse put = await(c.put("/example_data", body, CoapRequest.OCTET_STREAM));
            assertTrue(put.isSuccess(), put.toString());
            CoapResponse got = await(c.get("/example_data"));
            assertEquals("2.05", got.code());
            org.junit.jupiter.api.Assertions.assertArrayEquals(body, got.payload());
        } catch (AssertionError | Exception e) {
            System.err.println(server.log());
            throw e;
        }
    }
}
