package org.rawsockets.socket;

import java.util.Objects;

/**
 * A named endpoint the operator configured (Config Admin factory PID
 * {@code org.rawsockets.socket.endpoint}). Protocol bundles open it by name; they never see
 * credentials or trust material.
 *
 * @param name the name bundles use
 * @param host host name or IP literal
 * @param port 1..65535
 * @param tls TLS mode used for TCP opens of this endpoint
 * @param serverName SNI host name sent for TLS, {@code null} for {@code host}
 * @param description free text for operators, may be empty
 */
public record EndpointInfo(String name, String host, int port, TlsMode tls, String serverName,
        String description) {

    public EndpointInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        description = description == null ? "" : description;
    }
}
