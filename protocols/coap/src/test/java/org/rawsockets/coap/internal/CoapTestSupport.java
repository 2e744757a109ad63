package org.rawsockets.coap.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** A real socket service; clients and peers closed after each test. */
abstract class CoapTestSupport {

    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    static void engine() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.coap"));
    }

    @AfterAll
    static void stopEngine() {
        sockets.close();
        engine.close();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    <T extends AutoCloseable> T closing(T c) {
        cleanup.add(c);
        return c;
    }

    Libcoap libcoap(String... extra) throws Exception {
        return closing(Libcoap.start(extra));
    }

    CoapClientImpl client(CoapSettings s) {
        return closing(new CoapClientImpl(s, sockets));
    }

    CoapClientImpl client(Libcoap server) {
        return client(CoapSettings.of("dev", "127.0.0.1", server.port));
    }
}
