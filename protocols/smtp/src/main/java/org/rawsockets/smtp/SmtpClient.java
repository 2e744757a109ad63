package org.rawsockets.smtp;

import java.util.concurrent.CompletionStage;

import org.rawsockets.smtp.internal.SmtpSessionImpl;
import org.rawsockets.socket.SocketService;

/** Opens SMTP sessions on a {@link SocketService}. Plain Java: usable with or without OSGi. */
public final class SmtpClient {

    private SmtpClient() {
    }

    /**
     * Connects to the server of {@code settings}: TCP (or implicit TLS), greeting, EHLO (HELO
     * fallback), STARTTLS as the TLS mode says, EHLO again, AUTH when credentials are set.
     *
     * @return the ready session; fails with the socket API's exceptions for connect/TLS failures, and
     *         with {@link SmtpException} subtypes for refusals (greeting, STARTTLS, AUTH)
     */
    public static CompletionStage<SmtpSession> connect(SocketService sockets, SmtpSettings settings) {
        return SmtpSessionImpl.connect(sockets, settings);
    }
}
