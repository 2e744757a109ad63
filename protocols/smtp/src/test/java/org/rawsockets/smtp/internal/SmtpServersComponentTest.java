package org.rawsockets.smtp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * The mail servers on the web console's Devices page: each configured server with the outcome of its
 * last exchange, against GreenMail (a real SMTP server) and a peer that hangs up at once.
 */
class SmtpServersComponentTest {

    @TempDir
    Path secrets;

    private GreenMail greenMail;
    private MinaSocketEngine engine;
    private MinaSocketEngine.OwnedSocketService sockets;
    private ServerSocket hangUp;
    private CompletableFuture<Void> hangUpLoop;

    @BeforeEach
    void start() throws Exception {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        greenMail.start();
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.smtp"));
        hangUp = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        hangUpLoop = CompletableFuture.runAsync(() -> {
            while (!hangUp.isClosed()) {
                try (Socket s = hangUp.accept()) {
                    // closes at once: no greeting
                } catch (java.io.IOException e) {
                    return; // closed
                }
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        hangUp.close();
        hangUpLoop.get(60, TimeUnit.SECONDS);
        sockets.close();
        engine.close();
        greenMail.stop();
    }

    private MailSenderComponent sender(String name, int port) {
        return TestServers.sender(sockets, new SecretFiles(secrets.toString()), TestServers.registry(),
                TestServers.props("name", name, "host", "127.0.0.1", "port", port, "tls", "OFF", "authMechanism", "NONE"));
    }

    @Test
    void serversShowTheOutcomeOfTheirLastExchange() throws Exception {
        int smtpPort = greenMail.getSmtp().getPort();
        MailSenderComponent relay = sender("relay", smtpPort);
        MailSenderComponent down = sender("down", hangUp.getLocalPort());
        SmtpServersComponent provider = new SmtpServersComponent(List.of(relay, down));

        List<DeviceStatus> before = provider.devices();
        assertEquals(List.of("down", "relay"), before.stream().map(DeviceStatus::name).toList());
        DeviceStatus idle = before.get(1);
        assertEquals("smtp", idle.kind());
        assertEquals("127.0.0.1:" + smtpPort, idle.endpoint());
        assertEquals("IDLE (0 ok, 0 failed)", idle.state());
        assertNull(idle.lastError());
        assertNull(idle.lastChange());

        relay.probe().toCompletableFuture().get(60, TimeUnit.SECONDS);
        DeviceStatus ok = provider.devices().get(1);
        assertEquals("OK (1 ok, 0 failed)", ok.state());
        assertNull(ok.lastError());
        assertNotNull(ok.lastChange());

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> down.probe().toCompletableFuture().get(60, TimeUnit.SECONDS));
        DeviceStatus failed = provider.devices().get(0);
        assertEquals("FAILED (0 ok, 1 failed)", failed.state());
        assertEquals(e.getCause().getMessage(), failed.lastError());
        assertTrue(failed.lastError().contains(String.valueOf(hangUp.getLocalPort())), failed.lastError());
        assertEquals("127.0.0.1:" + hangUp.getLocalPort(), failed.endpoint());
        assertEquals("OK (1 ok, 0 failed)", provider.devices().get(1).state()); // the other one is unaffected
    }
}
