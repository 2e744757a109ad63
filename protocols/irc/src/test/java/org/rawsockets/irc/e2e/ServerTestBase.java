package org.rawsockets.irc.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.irc.IrcChannel;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcClients;
import org.rawsockets.irc.IrcDisconnectedException;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcReplyException;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.IrcSubscription;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** The shared part of the end-to-end tests: a socket service, a server, clients closed after each test. */
abstract class ServerTestBase {
    static MinaSocketEngine engine;
    static MinaSocketEngine.OwnedSocketService sockets;
    @TempDir
    Path dir;
    IrcServers.Server server;
    final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    static void engine() {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.irc"));
    }

    @AfterAll
    static void stopEngine() {
        sockets.close();
        engine.close();
    }

    @AfterEach
    void close(TestInfo info) throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        if (server != null) {
            server.close();
        }
    }

    IrcSettings.Builder plain(String nick) {
        return IrcSettings.builder("test").server("127.0.0.1", server.port).tls(false).nick(nick)
                .flood(20, Duration.ofMillis(50)).reconnect(false, Duration.ofMillis(200), Duration.ofSeconds(1));
    }

    IrcClient client(IrcSettings s) {
        IrcClient c = IrcClients.create(sockets, s);
        cleanup.add(c::close);
        return c;
    }

    static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    <T> T ok(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        try {
            return get(stage);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause() + "\n" + server.describe(), e.getCause());
        }
    }

    static Throwable failure(java.util.concurrent.CompletionStage<?> stage) throws Exception {
        try {
            get(stage);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the stage succeeded");
    }

}
