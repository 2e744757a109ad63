package org.rawsockets.irc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcClients;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.e2e.IrcServers;
import org.rawsockets.socket.admin.DeviceStatus;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** The IRC networks on the web console's Devices page, against a real ngircd that is then stopped. */
class IrcNetworksComponentTest {

    @TempDir
    Path dir;

    @Test
    void networksShowWhetherTheyAreConnectedWithTheirNickAndChannels() throws Exception {
        MinaSocketEngine engine = MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.irc"));
        IrcServers.Server server = IrcServers.ngircd(Files.createDirectories(dir.resolve("ngircd")), false, "");
        IrcClient lab = IrcClients.create(sockets, IrcSettings.builder("lab").server("127.0.0.1", server.port).tls(false)
                .nick("bot").reconnect(false, Duration.ofSeconds(1), Duration.ofSeconds(1)).build());
        try {
            IrcNetworksComponent provider = new IrcNetworksComponent(List.of(lab));
            DeviceStatus before = provider.devices().get(0);
            assertEquals(new DeviceStatus("lab", "irc", "127.0.0.1:" + server.port, "DISCONNECTED", null, null), before);

            lab.connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
            lab.join("#ops", null).toCompletableFuture().get(60, TimeUnit.SECONDS);
            IrcServers.until(Duration.ofSeconds(60), () -> provider.devices().get(0).state().startsWith("CONNECTED as bot (1 channels"),
                    () -> provider.devices() + "\n" + server.describe());

            server.close(); // the server goes away: the network shows it
            IrcServers.until(Duration.ofSeconds(60), () -> provider.devices().get(0).state().equals("DISCONNECTED"),
                    () -> provider.devices().toString());
        } finally {
            lab.close();
            server.close();
            sockets.close();
            engine.close();
        }
    }
}
