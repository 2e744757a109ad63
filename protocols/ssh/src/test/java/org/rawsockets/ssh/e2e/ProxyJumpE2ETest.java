package org.rawsockets.ssh.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rawsockets.ssh.e2e.TestSockets.await;
import static org.rawsockets.ssh.e2e.TestSockets.failure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.MinaSocketEngine.OwnedSocketService;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.Owner;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;
import org.rawsockets.ssh.ExecResult;
import org.rawsockets.ssh.SshConnector;
import org.rawsockets.ssh.SshException;
import org.rawsockets.ssh.SshException.Reason;
import org.rawsockets.ssh.SshSession;
import org.rawsockets.ssh.SshSettings;

/**
 * ProxyJump through a second OpenSSH sshd: the gateway's only socket goes to the bastion, the target
 * session runs in a direct-tcpip channel, closing it closes both, a bastion that may not forward gives
 * a typed error.
 */
class ProxyJumpE2ETest {

    @TempDir
    static Path keys;
    private static Path key;

    @TempDir
    Path dir;
    private OpenSshServer bastion;
    private OpenSshServer target;
    private MinaSocketEngine engine;
    private OwnedSocketService sockets;
    private SshConnector ssh;

    @BeforeAll
    static void keys() throws Exception {
        key = OpenSshServer.keygen("ed25519", keys.resolve("id_ed25519"), "");
    }

    @BeforeEach
    void start() throws Exception {
        target = OpenSshServer.start(dir.resolve("target"), "ecdsa", List.of(Path.of(key + ".pub")));
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.ssh"));
        ssh = SshConnector.start(sockets);
    }

    @AfterEach
    void stop() throws Exception {
        ssh.close();
        sockets.close();
        engine.close();
        if (bastion != null) {
            bastion.close();
        }
        target.close();
    }

    private Path knownHosts() throws Exception {
        return Files.writeString(dir.resolve("known_hosts"), bastion.knownHostsLine("127.0.0.1") + "\n"
                + target.knownHostsLine("127.0.0.1") + "\n");
    }

    private SshSettings.Builder hop(OpenSshServer server) throws Exception {
        return SshSettings.builder().host("127.0.0.1").port(server.port).user("root").keyFile(key).knownHosts(knownHosts())
                .connectTimeout(Duration.ofSeconds(30));
    }

    @Test
    void targetSessionRunsInADirectTcpipChannelOfTheBastion() throws Exception {
        bastion = OpenSshServer.start(dir.resolve("bastion"), "ed25519", List.of(Path.of(key + ".pub")), "AllowTcpForwarding yes");
        SshSession s = await(ssh.connect(hop(target).jump(hop(bastion).build()).build()));
        ExecResult r = await(s.exec("echo $SSH_CONNECTION; hostname >/dev/null; exit 3", Duration.ofSeconds(60)));
        assertEquals(3, r.exitStatus(), r.stderrText());
        // SSH_CONNECTION on the target: "client-ip client-port server-ip server-port": the target's own port
        assertTrue(r.stdoutText().trim().endsWith(" " + target.port), r.stdoutText());
        assertTrue(target.log().contains("Accepted publickey for root"), target.log());
        assertTrue(bastion.log().contains("Accepted publickey for root"), bastion.log());
        List<SocketInfo> open = sockets.sockets();
        assertEquals(1, open.size(), "one socket, to the bastion: " + open);
        assertEquals(bastion.port, open.get(0).remote().orElseThrow().getPort(), open.toString());
        assertTrue(s.target().endsWith("127.0.0.1:" + target.port), s.target());

        s.close();
        TestSockets.waitUntil(() -> "the bastion's socket closed too: " + sockets.sockets(), Duration.ofSeconds(30),
                () -> sockets.sockets().isEmpty());
        target.waitForLog("Disconnected from user root", Duration.ofSeconds(30));
        bastion.waitForLog("Disconnected from user root", Duration.ofSeconds(30));
    }

    /** The real policy engine with these grants for bundle org.rawsockets.ssh (declarations: any TCP). */
    private static PolicyEngine grants(String... grants) {
        Map<String, Object> config = new HashMap<>();
        config.put("defaultGrants", false);
        for (int i = 0; i < grants.length; i++) {
            config.put("grant.g" + i, "org.rawsockets.ssh tcp " + grants[i]);
        }
        return new PolicyEngine(PolicySettings.from(config), o -> "TCP;host=\"*\";ports=\"*\"");
    }

    /**
     * A grant for the bastion only: the jump is refused before anything is opened (neither sshd sees
     * a connection), with NOT_ALLOWED naming the target, and the refusal is in the audit as a refused
     * tcp connect to the target; a direct connection to the target is refused as before.
     */
    @Test
    void policyRefusesAJumpToATargetWithoutAGrant() throws Exception {
        bastion = OpenSshServer.start(dir.resolve("bastion"), "ed25519", List.of(Path.of(key + ".pub")), "AllowTcpForwarding yes");
        List<AuditLog.Entry> audit = new CopyOnWriteArrayList<>();
        try (MinaSocketEngine strict = new MinaSocketEngine(EngineConfig.defaults(), grants("127.0.0.1 " + bastion.port),
                audit::add, HostResolver.JDK)) {
            OwnedSocketService service = strict.serviceFor(Owner.of(2, "org.rawsockets.ssh"));
            try (SshConnector c = SshConnector.start(service)) {
                SshException direct = failure(c.connect(hop(target).build()), Duration.ofSeconds(60));
                assertEquals(Reason.NOT_ALLOWED, direct.reason(), direct.getMessage());
                audit.clear();

                SshException e = failure(c.connect(hop(target).jump(hop(bastion).build()).build()), Duration.ofSeconds(60));
                assertEquals(Reason.NOT_ALLOWED, e.reason(), e.getMessage());
                assertTrue(e.getMessage().startsWith("ProxyJump to 127.0.0.1:" + target.port + " through bastion root@127.0.0.1:"
                        + bastion.port + " not allowed"), e.getMessage());
                assertTrue(e.getMessage().contains("tcp connect 127.0.0.1:" + target.port), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertTrue(e.getCause() instanceof NotAllowedException, String.valueOf(e.getCause()));

                assertEquals(1, audit.size(), "one audit entry, the refusal: " + audit);
                AuditLog.Entry refused = audit.get(0);
                assertEquals(AuditLog.Outcome.REFUSED, refused.outcome(), refused.toString());
                assertEquals(AccessKind.TCP_CONNECT, refused.kind(), refused.toString());
                assertEquals("127.0.0.1:" + target.port, refused.destination(), refused.toString());
                assertEquals("org.rawsockets.ssh", refused.owner().symbolicName(), refused.toString());
                assertTrue(service.sockets().isEmpty(), "nothing opened: " + service.sockets());
            }
        }
        // nothing reached either server: the bastion was not even connected
        assertFalse(bastion.log().contains("Connection from"), "the bastion saw nothing:\n" + bastion.log());
        assertFalse(target.log().contains("Connection from"), "the target saw nothing:\n" + target.log());
    }

    /** Grants for the bastion and the final target: the jump works, and only the bastion has a socket. */
    @Test
    void policyAllowsAJumpWhenTheTargetIsGrantedToo() throws Exception {
        bastion = OpenSshServer.start(dir.resolve("bastion"), "ed25519", List.of(Path.of(key + ".pub")), "AllowTcpForwarding yes");
        List<AuditLog.Entry> audit = new CopyOnWriteArrayList<>();
        try (MinaSocketEngine strict = new MinaSocketEngine(EngineConfig.defaults(),
                grants("127.0.0.1 " + bastion.port, "127.0.0.1 " + target.port), audit::add, HostResolver.JDK)) {
            OwnedSocketService service = strict.serviceFor(Owner.of(2, "org.rawsockets.ssh"));
            try (SshConnector c = SshConnector.start(service)) {
                SshSession s = await(c.connect(hop(target).jump(hop(bastion).build()).build()));
                assertEquals("root\n", await(s.exec("whoami", Duration.ofSeconds(60))).stdoutText());
                List<SocketInfo> open = service.sockets();
                assertEquals(1, open.size(), "one socket, to the bastion: " + open);
                assertEquals(bastion.port, open.get(0).remote().orElseThrow().getPort(), open.toString());
                assertTrue(audit.stream().noneMatch(x -> x.outcome() == AuditLog.Outcome.REFUSED), audit.toString());
                s.close();
            }
        }
        target.waitForLog("Accepted publickey for root", Duration.ofSeconds(30));
    }

    @Test
    void bastionThatMayNotForwardIsATypedError() throws Exception {
        bastion = OpenSshServer.start(dir.resolve("bastion"), "ed25519", List.of(Path.of(key + ".pub")), "AllowTcpForwarding no");
        SshException e = failure(ssh.connect(hop(target).jump(hop(bastion).build()).build()), Duration.ofSeconds(90));
        assertEquals(Reason.CHANNEL, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("bastion root@127.0.0.1:" + bastion.port + " could not open a connection to 127.0.0.1:"
                + target.port + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("AllowTcpForwarding"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        TestSockets.waitUntil(() -> "the bastion session closed: " + sockets.sockets(), Duration.ofSeconds(30),
                () -> sockets.sockets().isEmpty());
        assertFalse(target.log().contains("Connection from"), "the target saw nothing:\n" + target.log());
    }
}
