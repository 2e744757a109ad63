package org.rawsockets.coap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.ConfigRejectedException;
import org.rawsockets.protocols.config.SecretFiles;

/**
 * The coaps part of the device configuration: {@code dtls}, {@code pskIdentity}, {@code .pskKey} as a
 * {@code secret:NAME} reference read from the secrets folder at each opening (a literal key refused and
 * removed, never shown), {@code handshakeTimeoutMillis} bounded; a configured device against
 * {@code coap-server-openssl}.
 */
class DtlsConfigTest extends CoapTestSupport {

    final ConfigRegistry registry = new ConfigRegistry(DeviceConfig.PID, "CoAP device");
    final List<String> removed = new ArrayList<>();
    @TempDir
    Path secretsDir;

    CoapDeviceComponent component(Map<String, Object> props) {
        Map<String, Object> p = new HashMap<>(props);
        p.putIfAbsent("service.pid", DeviceConfig.PID + "." + p.get("name"));
        CoapDeviceComponent c = new CoapDeviceComponent(sockets, p, new SecretFiles(secretsDir.toString()), registry,
                removed::add);
        closing(c::deactivate);
        return c;
    }

    void secret(String name, String value) throws Exception {
        Path f = secretsDir.resolve(name);
        Files.writeString(f, value);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aConfiguredCoapsDeviceReadsItsKeyFromTheSecretsFolder() throws Exception {
        Libcoap server = closing(Libcoap.startDtls(DtlsTest.KEY));
        CoapDeviceComponent c = component(Map.of("name", "sec", "host", "127.0.0.1", "port", server.dtlsPort(),
                "dtls", true, "pskIdentity", "gw-1", ".pskKey", "secret:sec.psk", "handshakeTimeoutMillis", 4000L));
        // the file does not exist yet: a typed failure naming the file, before any datagram
        CoapHandshakeException missing = assertThrows(CoapHandshakeException.class, () -> await(c.get("/")));
        assertEquals(CoapHandshakeException.Reason.KEY_UNAVAILABLE, missing.reason(), missing.getMessage());
        assertTrue(missing.getMessage().startsWith("coap sec: the pre-shared key cannot be read: secret 'sec.psk'"),
                missing.getMessage());
        assertTrue(sockets.sockets().stream().filter(s -> s.remote().map(r -> r.getPort() == server.dtlsPort())
                .orElse(false)).allMatch(s -> s.bytesOut() == 0), sockets.sockets().toString());
        // created later: read at the next opening, no reconfiguration
        secret("sec.psk", DtlsTest.KEY);
        assertEquals("2.05", await(c.get("/")).code(), server.log());
        assertEquals("coaps://127.0.0.1:" + server.dtlsPort(), c.deviceStatus().endpoint());
        assertTrue(c.status().startsWith("open coaps, PSK identity 'gw-1', datagrams sent "), c.status());
    }

    @Test
    void aLiteralKeyIsRefusedRemovedAndNeverShown() {
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> component(Map.of("name", "lit",
                "host", "127.0.0.1", "dtls", true, "pskIdentity", "gw", ".pskKey", "hunter2-literal")));
        assertTrue(e.getMessage().contains(".pskKey") && e.getMessage().contains("secret:"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2-literal"), e.getMessage());
        assertEquals(List.of(DeviceConfig.PID + ".lit"), removed);
    }

    @Test
    void dtlsSettingsAreCheckedTogether() {
        ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> component(Map.of("name", "d1",
                "host", "127.0.0.1", "dtls", true, ".pskKey", "secret:k")));
        assertTrue(e.getMessage().contains("pskIdentity") && e.getMessage().contains("missing with dtls"),
                e.getMessage());
        e = assertThrows(ConfigRejectedException.class, () -> component(Map.of("name", "d2", "host", "127.0.0.1",
                "dtls", true, "pskIdentity", "gw")));
        assertTrue(e.getMessage().contains(".pskKey") && e.getMessage().contains("missing with dtls"), e.getMessage());
        e = assertThrows(ConfigRejectedException.class, () -> component(Map.of("name", "d3", "host", "127.0.0.1",
                "pskIdentity", "gw", ".pskKey", "secret:k")));
        assertTrue(e.getMessage().contains("dtls") && e.getMessage().contains("set dtls = true"), e.getMessage());
        e = assertThrows(ConfigRejectedException.class, () -> component(Map.of("name", "d4", "host", "127.0.0.1",
                "dtls", true, "pskIdentity", "gw", ".pskKey", "secret:k", "handshakeTimeoutMillis", 400_000L)));
        assertTrue(e.getMessage().contains("handshakeTimeoutMillis") && e.getMessage().contains("500..300000"),
                e.getMessage());
        e = assertThrows(ConfigRejectedException.class, () -> component(Map.of("name", "d5", "host", "127.0.0.1",
                "dtls", true, "pskIdentity", "gw", ".pskKey", "secret:k", "dtlsCipherSuites",
                "TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8")));
        assertTrue(e.getMessage().contains("dtlsCipherSuites") && e.getMessage().contains(
                "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8") && e.getMessage().contains("not a PSK cipher suite"),
                e.getMessage());
        assertTrue(removed.isEmpty(), removed.toString());
    }
}
