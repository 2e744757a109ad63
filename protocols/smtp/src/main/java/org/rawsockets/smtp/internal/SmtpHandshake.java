package org.rawsockets.smtp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;

import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.Capabilities;
import org.rawsockets.smtp.SmtpCapabilityException;
import org.rawsockets.smtp.SmtpReply;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;

/**
 * Opening a session: connect, greeting, EHLO (HELO if refused), STARTTLS and EHLO again, AUTH; and
 * what the session learnt doing so (volatile: read by the caller's threads, written by the worker).
 */
final class SmtpHandshake {

    private final SocketService sockets;
    private final SmtpSettings settings;
    private final String label;
    private final SmtpConnection conn;

    volatile SmtpReply greeting;
    volatile Capabilities capabilities;
    volatile TlsInfo tlsInfo;
    volatile InetSocketAddress remoteAddress;
    volatile AuthMechanism authenticatedWith;

    SmtpHandshake(SocketService sockets, SmtpSettings settings, SmtpConnection conn) {
        this.sockets = sockets;
        this.settings = settings;
        this.label = settings.serverLabel();
        this.conn = conn;
    }

    /** Runs on the worker, within the opening operation's deadline. */
    void run() throws IOException {
        // The secret first: a missing one fails before anything goes on the network.
        String secret = settings.credentials().isPresent() ? SmtpAuth.secretOf(settings.credentials().get(), label)
                : null;
        SmtpTlsMode mode = settings.tlsMode();
        TlsMode socketTls = switch (mode) {
            case IMPLICIT -> TlsMode.ON;
            case STARTTLS_REQUIRED, STARTTLS_OPPORTUNISTIC -> TlsMode.STARTTLS;
            case OFF -> TlsMode.OFF;
        };
        TlsOptions tls = settings.tls().toBuilder().mode(socketTls).build();
        TcpSocketOptions options = TcpSocketOptions.builder().noDelay(true).connectTimeout(settings.connectTimeout())
                .tls(tls).build();
        TcpSocket socket = settings.endpointName().isPresent()
                ? sockets.openTcpEndpoint(settings.endpointName().get(), options)
                : sockets.openTcp(settings.host().orElseThrow(), settings.port(), options);
        TcpOpenInfo info = conn.connected(socket);
        remoteAddress = info.remoteAddress();
        tlsInfo = info.tlsInfo();
        conn.open = true;

        SmtpReply hello = conn.readReply(settings.commandTimeout(), "the greeting");
        greeting = hello;
        if (hello.code() != 220) {
            throw conn.replyError("the connection (greeting)", hello, null);
        }
        ehlo();
        if (socketTls == TlsMode.STARTTLS) {
            boolean required = mode == SmtpTlsMode.STARTTLS_REQUIRED;
            if (capabilities.has("STARTTLS")) {
                SmtpReply r = conn.command("STARTTLS", "STARTTLS");
                if (r.code() == 220) {
                    TcpOpenInfo ti = conn.startTls(tls);
                    tlsInfo = ti.tlsInfo();
                    ehlo(); // RFC 3207: forget what was learnt before TLS
                } else if (required || !r.isTransientFailure() && !r.isPermanentFailure()) {
                    throw conn.replyError("STARTTLS", r, null);
                }
            } else if (required) {
                throw new SmtpCapabilityException("SMTP server " + label
                        + " does not offer STARTTLS and the TLS mode is STARTTLS_REQUIRED: not continuing without TLS"
                        + " (its EHLO offers: " + capabilities.keywords().keySet()
                        + "; use IMPLICIT for port 465, or STARTTLS_OPPORTUNISTIC/OFF only on a trusted network)");
            }
        }
        if (settings.credentials().isPresent()) {
            SmtpAuth.Outcome auth = SmtpAuth.exchange(settings.credentials().get(), secret, capabilities, tlsInfo != null,
                    settings.allowAuthWithoutTls(), label, conn::command);
            if (auth.reply().code() != 235) {
                throw conn.replyError(auth.what(), auth.reply(), null);
            }
            authenticatedWith = auth.mechanism();
        }
    }

    private void ehlo() throws IOException {
        SmtpReply r = conn.command("EHLO " + settings.clientName(), "EHLO");
        if (r.isPositive()) {
            capabilities = Capabilities.fromEhlo(r);
        } else if (r.isPermanentFailure()) {
            SmtpReply h = conn.command("HELO " + settings.clientName(), "HELO");
            conn.expectPositive(h, "HELO (after EHLO was refused: " + r + ")", null);
            capabilities = Capabilities.helo(h);
        } else {
            throw conn.replyError("EHLO", r, null);
        }
    }
}
