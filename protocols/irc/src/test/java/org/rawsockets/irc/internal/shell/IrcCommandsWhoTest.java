package org.rawsockets.irc.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcClients;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.e2e.IrcServers;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/** The shell's irc:who and irc:user against a real InspIRCd (WHOX). */
class IrcCommandsWhoTest {

    @TempDir
    Path dir;

    @Test
    void whoPrintsOneLinePerUserWithTheAccountColumn() throws Exception {
        MinaSocketEngine engine = MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.irc"));
        try (IrcServers.Server server = IrcServers.inspircd(dir, "commandrate=\"100000\"", "")) {
            IrcClient c = IrcClients.create(sockets, IrcSettings.builder("lab").server("127.0.0.1", server.port)
                    .tls(false).nick("shellbot").realName("Shell Bot").reconnect(false, Duration.ofSeconds(1),
                            Duration.ofSeconds(1)).build());
            try {
                IrcCommands shell = new IrcCommands(new ConfigRegistry("test.pid", "IRC network"));
                shell.addNetwork(c);
                c.connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
                c.join("#ops", null).toCompletableFuture().get(60, TimeUnit.SECONDS);
                String out = shell.who("lab", "#ops");
                assertTrue(out.matches("shellbot ~?shellbot@\\S+ H@ - Shell Bot\\n"), out);
                assertTrue(shell.who("lab", "nobody-here").equals("nobody matches nobody-here"));
                // irc:user prints what the client knows (here after the WHO above), without asking the server.
                String user = shell.user("lab", "SHELLBOT");
                assertTrue(user.matches("shellbot ~?shellbot@127\\.0\\.0\\.1 here - Shell Bot"), user);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shell.user("lab", "nobody"));
                assertEquals("nobody is on none of the channels of IRC network 'lab' (irc:who lab nobody asks the server)",
                        e.getMessage());
            } finally {
                c.close();
            }
        } finally {
            sockets.close();
            engine.close();
        }
    }
}
