package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapProtocolException;
import org.rawsockets.coap.CoapMethod;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;

/** FETCH and block-wise transfers of 1 MiB both ways against Californium's own server in the JVM. */
class CaliforniumServerTest extends CoapTestSupport {

    static final int MIB = 1024 * 1024;

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** GET: the blob; PUT: stores the body; FETCH: echoes the body upper-cased. */
    static final class Blob extends CoapResource {
        final AtomicReference<byte[]> content = new AtomicReference<>(new byte[0]);
        final AtomicInteger puts = new AtomicInteger();

        Blob(String name, byte[] initial) {
            super(name);
            content.set(initial);
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            exchange.respond(ResponseCode.CONTENT, content.get(), 42);
        }

        @Override
        public void handlePUT(CoapExchange exchange) {
            content.set(exchange.getRequestPayload());
            puts.incrementAndGet();
            exchange.respond(ResponseCode.CHANGED);
        }

        @Override
        public void handleFETCH(CoapExchange exchange) {
            exchange.respond(ResponseCode.CONTENT, exchange.getRequestText().toUpperCase(java.util.Locale.ROOT), 0);
        }
    }

    CoapClientImpl client(CaliforniumServer server) {
        return client(CoapSettings.of("cf", "127.0.0.1", server.port()));
    }

    @Test
    void fetchCarriesItsBody() throws Exception {
        CaliforniumServer server = closing(new CaliforniumServer(new Blob("blob", new byte[0])));
        CoapResponse r = await(client(server).send(CoapRequest.of(CoapMethod.FETCH, "/blob")
                .withPayload("select temp".getBytes(StandardCharsets.UTF_8), CoapRequest.TEXT_PLAIN)));
        assertEquals("2.05", r.code());
        assertEquals("SELECT TEMP", r.text());
    }

    @Test
    void oneMebibyteDownloadBlockwise() throws Exception {
        byte[] body = random(MIB, 17);
        CaliforniumServer server = closing(new CaliforniumServer(new Blob("blob", body)));
        CoapClientImpl c = client(server);
        CoapResponse r = await(c.get("/blob"));
        assertEquals("2.05", r.code());
        assertEquals(42, r.contentFormat());
        assertArrayEquals(body, r.payload());
        String status = c.status();
        assertTrue(status.contains("received "), status);
        long received = c.running().join().connector().datagramsReceived();
        assertTrue(received >= MIB / 1024, "1 MiB in 1 KiB blocks needs >= 1024 datagrams, got " + received);
    }

    @Test
    void oneMebibyteUploadBlockwise() throws Exception {
        byte[] body = random(MIB, 23);
        Blob blob = new Blob("blob", new byte[0]);
        CaliforniumServer server = closing(new CaliforniumServer(blob));
        CoapClientImpl c = client(server);
        CoapResponse r = await(c.put("/blob", body, CoapRequest.OCTET_STREAM));
        assertEquals("2.04", r.code());
        assertEquals(1, blob.puts.get(), "the server's resource saw one reassembled PUT");
        assertArrayEquals(body, blob.content.get());
        long sent = c.running().join().connector().datagramsSent();
        assertTrue(sent >= MIB / 1024, "1 MiB in 1 KiB blocks needs >= 1024 datagrams, sent " + sent);
    }

    @Test
    void responseLargerThanMaxBodyBytesIsATypedError() throws Exception {
        CaliforniumServer server = closing(new CaliforniumServer(new Blob("blob", random(64 * 1024, 5))));
        CoapClientImpl c = client(CoapSettings.of("small", "127.0.0.1", server.port()).withBodies(1024, 16 * 1024));
        CoapProtocolException e = assertThrows(CoapProtocolException.class, () -> await(c.get("/blob")));
        assertTrue(e.getMessage().contains("coap small"), e.getMessage());
        assertTrue(e.getMessage().contains("maxBodyBytes 16384"), e.getMessage());
        // the client stays usable
        CaliforniumServer other = closing(new CaliforniumServer(new Blob("blob", new byte[] { 1, 2, 3 })));
        CoapClientImpl c2 = client(CoapSettings.of("small2", "127.0.0.1", other.port()).withBodies(1024, 16 * 1024));
        assertArrayEquals(new byte[] { 1, 2, 3 }, await(c2.get("/blob")).payload());
    }
}
