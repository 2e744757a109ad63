package org.rawsockets.irc.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcClients;
import org.rawsockets.irc.IrcRegistrationException;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.e2e.IrcServers;
import org.rawsockets.irc.e2e.IrcServices;
import org.rawsockets.irc.e2e.Recorder;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * SASL EXTERNAL from a network configuration: the client certificate (PEM, key encrypted with a
 * passphrase read from a secret file) over TLS to InspIRCd 3 (GnuTLS, the fingerprint passed to
 * services by m_sslinfo), linked to Atheme 7.2, where the test registers an account through NickServ
 * and adds the certificate's fingerprint to it (NickServ CERT ADD).
 */
class ExternalCertificateTest {

    @TempDir
    Path dir;
    MinaSocketEngine engine;
    MinaSocketEngine.OwnedSocketService sockets;
    IrcServices services;
    Path serverCert;
    int tlsPort;
    Path clientCert;
    Path clientKey;
    SecretFiles secrets;
    IrcNetworkComponent component;

    @BeforeEach
    void start() throws Exception {
        engine = MinaSocketEngine.standalone();
        sockets = engine.serviceFor(Owner.of(1, "org.rawsockets.irc"));
        Path[] server = IrcServers.certificate(dir);
        serverCert = server[0];
        tlsPort = IrcServers.freePort();
        services = IrcServices.start(dir, "<module name=\"ssl_gnutls\"><module name=\"sslinfo\">\n"
                + "<sslprofile name=\"tls\" provider=\"gnutls\" certfile=\"" + server[0] + "\" keyfile=\"" + server[1]
                + "\" hash=\"sha256\" requestclientcert=\"yes\">\n"
                + "<bind address=\"127.0.0.1\" port=\"" + tlsPort + "\" type=\"clients\" sslprofile=\"tls\">\n");
        // The client certificate, its key encrypted (PBES2/AES-256) with a passphrase kept in a secret file.
        clientCert = dir.resolve("client.pem");
        clientKey = dir.resolve("client-key.pem");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-keyout", clientKey.toString(), "-passout",
                "pass:key passphrase", "-out", clientCert.toString(), "-days", "2", "-subj", "/CN=frankbot");
        assertTrue(Files.readString(clientKey).contains("BEGIN ENCRYPTED PRIVATE KEY"));
        Path secretsDir = Files.createDirectories(dir.resolve("secrets"));
        Path secret = secretsDir.resolve("frank-key");
        Files.writeString(secret, "key passphrase\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        secrets = new SecretFiles(secretsDir.toString());
    }

    @AfterEach
    void stop() throws Exception {
        if (component != null) {
            component.deactivate();
        }
        try {
            services.close();
        } finally {
            sockets.close();
            engine.close();
        }
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Registers {@code account} through NickServ and adds the client certificate's fingerprint to it. */
    void registerWithCertificate(String account) throws Exception {
        String fp = run("openssl", "x509", "-in", clientCert.toString(), "-noout", "-fingerprint", "-sha256");
        fp = fp.substring(fp.indexOf('=') + 1).strip().replace(":", "").toLowerCase(java.util.Locale.ROOT);
        IrcClient owner = IrcClients.create(sockets, IrcSettings.builder("reg").server("127.0.0.1", services.ircd.port)
                .tls(false).nick(account).reconnect(false, Duration.ofSeconds(1), Duration.ofSeconds(1)).build());
        try {
            Recorder r = new Recorder();
            owner.subscribe(r, 10_000);
            owner.connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
            owner.privmsg("NickServ", "REGISTER account-password " + account + "@example.test");
            IrcServers.until(Duration.ofSeconds(60), () -> owner.account().isPresent(), () -> r.tail()
                    + services.describe());
            owner.privmsg("NickServ", "CERT ADD " + fp);
            String f = fp;
            IrcServers.until(Duration.ofSeconds(60), () -> r.messages.stream().anyMatch(m -> m.command().equals("NOTICE")
                    && m.trailing().contains(f) && m.trailing().toLowerCase(java.util.Locale.ROOT).contains("added")),
                    () -> r.tail() + services.describe());
        } finally {
            owner.close();
        }
    }

    Map<String, Object> config(String nick) {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "certnet");
        p.put("host", "127.0.0.1");
        p.put("port", tlsPort);
        p.put("tls", true);
        p.put("caCertificatesPath", serverCert.toString());
        p.put("nick", nick);
        p.put("saslMechanism", "EXTERNAL");
        p.put("clientCertificatePath", clientCert.toString());
        p.put("clientKeyPath", clientKey.toString());
        p.put(".passphrase", "secret:frank-key");
        p.put("reconnect", false);
        p.put("service.pid", "org.rawsockets.irc.network~certnet");
        return p;
    }

    @Test
    void externalLogsInWithTheConfiguredClientCertificate() throws Exception {
        registerWithCertificate("frank");
        // The same key re-encrypted as OpenSSL's pkcs8 writes it: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC
        // (the key from req above is DES-EDE3-CBC, used by the test below).
        Path aesKey = dir.resolve("client-key-aes.pem");
        run("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256", "-in", clientKey.toString(),
                "-passin", "pass:key passphrase", "-out", aesKey.toString(), "-passout", "pass:key passphrase");
        Map<String, Object> config = config("frankbot");
        config.put("clientKeyPath", aesKey.toString());
        component = new IrcNetworkComponent(sockets, config, secrets, new ConfigRegistry(
                IrcNetworkComponent.PID, "IRC network"), pid -> {
                    throw new AssertionError("nothing to remove from " + pid);
                });
        try {
            assertEquals("frankbot", component.connect().toCompletableFuture().get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause() + "\n" + services.describe(), e.getCause());
        }
        assertEquals(Optional.of("frank"), component.account());
        assertTrue(component.capabilities().contains("sasl"));
    }

    @Test
    void aWrongPassphraseSendsNoCertificateAndTheRequiredLoginFails() throws Exception {
        registerWithCertificate("grace");
        Files.writeString(dir.resolve("secrets/frank-key"), "not the passphrase\n");
        component = new IrcNetworkComponent(sockets, config("gracebot"), secrets, new ConfigRegistry(
                IrcNetworkComponent.PID, "IRC network"), pid -> {
                    throw new AssertionError("nothing to remove from " + pid);
                });
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> component.connect().toCompletableFuture().get(60, TimeUnit.SECONDS));
        IrcRegistrationException r = assertInstanceOf(IrcRegistrationException.class, e.getCause());
        assertTrue(r.getMessage().contains("904") && r.getMessage().contains("EXTERNAL"), r.getMessage());
        assertEquals(Optional.empty(), component.account());
    }
}
