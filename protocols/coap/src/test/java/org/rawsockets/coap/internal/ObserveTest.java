package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.junit.jupiter.api.Test;
import org.rawsockets.coap.CoapClient;
import org.rawsockets.coap.CoapException;
import org.rawsockets.coap.CoapObservation;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;

/** Observe (RFC 7641) against libcoap's /time and Californium's server: order, re-registration, cancel. */
class ObserveTest extends CoapTestSupport {

    static final class Recorder implements CoapClient.Listener {
        final List<CoapResponse> notifications = Collections.synchronizedList(new ArrayList<>());
        final List<CoapException> errors = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onNotification(CoapResponse n) {
            notifications.add(n);
        }

        @Override
        public void onError(CoapException error) {
            errors.add(error);
        }

        List<String> texts() {
            synchronized (notifications) {
                return notifications.stream().map(CoapResponse::text).toList();
            }
        }
    }

    /** Observable counter: each {@code changed()} bumps the value; counts observe registrations. */
    static final class Counter extends CoapResource {
        final AtomicInteger value = new AtomicInteger();
        final AtomicInteger registrations = new AtomicInteger();
        final long maxAge;

        Counter(String name, long maxAge) {
            super(name);
            this.maxAge = maxAge;
            setObservable(true);
            getAttributes().setObservable();
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            if (exchange.getRequestOptions().hasObserve() && exchange.getRequestOptions().getObserve() == 0) {
                registrations.incrementAndGet();
            }
            exchange.setMaxAge(maxAge);
            exchange.respond(ResponseCode.CONTENT, String.valueOf(value.get()), 0);
        }

        void bump() {
            value.incrementAndGet();
            changed();
        }
    }

    @Test
    void libcoapTimeNotifiesWithIncreasingSequenceNumbers() throws Exception {
        Libcoap server = libcoap();
        CoapClientImpl c = client(server);
        Recorder rec = new Recorder();
        try (CoapObservation o = await(c.observe(CoapRequest.get("/time"), rec))) {
            Waits.until(60_000, "3 notifications of /time", () -> rec.notifications.size() >= 3,
                    () -> rec.notifications + "\n" + server.log());
            assertTrue(o.isActive());
            List<CoapResponse> n;
            synchronized (rec.notifications) {
                n = new ArrayList<>(rec.notifications);
            }
            assertFalse(n.get(0).text().contains("libcoap"), "the /time resource, not the root: " + n.get(0).text());
            for (int i = 1; i < n.size(); i++) {
                assertTrue(n.get(i).observe() > n.get(i - 1).observe(), "sequence numbers increase: " + n);
                assertEquals("2.05", n.get(i).code());
            }
            o.close();
            assertFalse(o.isActive());
        } catch (AssertionError | Exception e) {
            System.err.println(server.log());
            throw e;
        }
    }

    @Test
    void notificationsArriveInOrderAndCancelDeregisters() throws Exception {
        Counter counter = new Counter("counter", 60);
        CaliforniumServer server = closing(new CaliforniumServer(counter));
        CoapClientImpl c = client(CoapSettings.of("cf", "127.0.0.1", server.port()));
        Recorder rec = new Recorder();
        CoapObservation o = await(c.observe(CoapRequest.get("/counter"), rec));
        Waits.until(30_000, "the server to hold the observe relation", () -> counter.getObserverCount() == 1,
                counter::getObserverCount);
        for (int i = 1; i <= 5; i++) {
            counter.bump();
            int expected = i + 1;
            Waits.until(30_000, expected + " notifications", () -> rec.notifications.size() >= expected, rec::texts);
        }
        assertEquals(List.of("0", "1", "2", "3", "4", "5"), rec.texts());
        assertEquals(6, o.notifications());
        o.close();
        Waits.until(30_000, "the proactive cancel to remove the relation at the server",
                () -> counter.getObserverCount() == 0, counter::getObserverCount);
        counter.bump();
        assertEquals(List.of("0", "1", "2", "3", "4", "5"), rec.texts(), "nothing after cancel");
        assertTrue(rec.errors.isEmpty(), rec.errors.toString());
    }

    @Test
    void reRegistersWhenMaxAgePassesWithoutNotification() throws Exception {
        // Max-Age 1 s and no change: the client re-registers (after Max-Age + the re-registration backoff)
        Counter counter = new Counter("quiet", 1);
        CaliforniumServer server = closing(new CaliforniumServer(counter));
        CoapClientImpl c = client(CoapSettings.of("cf", "127.0.0.1", server.port()));
        Recorder rec = new Recorder();
        try (CoapObservation o = await(c.observe(CoapRequest.get("/quiet"), rec))) {
            Waits.until(60_000, "a re-registration", () -> counter.registrations.get() >= 2,
                    () -> counter.registrations.get() + " registrations, notifications " + rec.texts());
            assertTrue(o.isActive());
            counter.bump();
            Waits.until(30_000, "the notification after re-registration", () -> rec.texts().contains("1"), rec::texts);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
