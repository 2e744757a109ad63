package org.rawsockets.smtp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;

/**
 * One property name per idea: SMTP servers take {@code caCertificatesPath} like socket endpoints;
 * the old {@code trustedCertificates} still works for one minor version, with a WARN.
 */
class CaCertificatesPathTest {

    private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    @Test
    void caCertificatesPathIsThePlatformName(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), PEM);
        Captured<MailSenderComponent> c = capture(() -> TestServers.sender(null, new SecretFiles(dir.toString()),
                TestServers.registry(), TestServers.props("name", "relay", "host", "127.0.0.1", "caCertificatesPath",
                        ca.toString())));
        assertEquals(PEM, c.value.settings().tls().trustedCertificatesPem().orElseThrow());
        assertFalse(c.log.contains("WARN"), c.log);
    }

    @Test
    void trustedCertificatesStillWorksWithAWarnNamingTheNewName(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), PEM);
        Captured<MailSenderComponent> c = capture(() -> TestServers.sender(null, new SecretFiles(dir.toString()),
                TestServers.registry(), TestServers.props("name", "old", "host", "127.0.0.1", "trustedCertificates",
                        ca.toString())));
        assertEquals(PEM, c.value.settings().tls().trustedCertificatesPem().orElseThrow());
        String warn = c.log.lines().filter(l -> l.contains("WARN")).findFirst().orElse("");
        assertTrue(warn.contains("trustedCertificates is deprecated, rename it to caCertificatesPath"), c.log);
    }

    @Test
    void bothNamesAtOnceAreRefused(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), PEM);
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> capture(
                () -> TestServers.sender(null, new SecretFiles(dir.toString()), TestServers.registry(),
                        TestServers.props("name", "both", "host", "127.0.0.1", "trustedCertificates", ca.toString(),
                                "caCertificatesPath", ca.toString()))));
        assertTrue(e.getMessage().contains("set together with caCertificatesPath"), e.getMessage());
    }

    @Test
    void anUnreadableFileNamesTheKeyUsed(@TempDir Path dir) {
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> capture(
                () -> TestServers.sender(null, new SecretFiles(dir.toString()), TestServers.registry(),
                        TestServers.props("name", "missing", "host", "127.0.0.1", "caCertificatesPath",
                                dir.resolve("nope.pem").toString()))));
        assertTrue(e.getMessage().contains("caCertificatesPath"), e.getMessage());
    }

    record Captured<T>(T value, String log) {
    }

    /** Runs {@code s} with System.err (where slf4j-simple writes) captured. */
    private static <T> Captured<T> capture(Supplier<T> s) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            T v = s.get();
            return new Captured<>(v, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }
}
