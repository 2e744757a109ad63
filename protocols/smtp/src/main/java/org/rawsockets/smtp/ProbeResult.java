package org.rawsockets.smtp;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

import org.rawsockets.socket.TlsInfo;

/**
 * What a probe of a mail server found.
 *
 * @param server the server label ({@code host:port} or endpoint)
 * @param remoteAddress the address connected
 * @param greeting the 220 greeting
 * @param capabilities the EHLO capabilities (after STARTTLS when it was used)
 * @param tlsInfo TLS details, {@code null} when the connection stayed plain
 * @param authenticatedWith the AUTH mechanism used, {@code null} when the probe did not authenticate
 */
public record ProbeResult(String server, InetSocketAddress remoteAddress, SmtpReply greeting,
        Capabilities capabilities, TlsInfo tlsInfo, AuthMechanism authenticatedWith) {

    public ProbeResult {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(greeting, "greeting");
        Objects.requireNonNull(capabilities, "capabilities");
    }

    public Optional<TlsInfo> tls() {
        return Optional.ofNullable(tlsInfo);
    }
}
