package org.rawsockets.smtp.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Set;
import java.util.function.Supplier;

import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.Capabilities;
import org.rawsockets.smtp.SmtpCapabilityException;
import org.rawsockets.smtp.SmtpConfigurationException;
import org.rawsockets.smtp.SmtpCredentials;
import org.rawsockets.smtp.SmtpReply;

/**
 * AUTH for a session: the secret from the credentials (read before connecting, never empty), the
 * mechanism from what the server offers, and the PLAIN, LOGIN or XOAUTH2 exchange. The secret goes
 * only into the commands; messages name the user, never the secret.
 */
final class SmtpAuth {

    private SmtpAuth() {
    }

    /** Sends one command line and reads its reply (the session's wire). */
    interface Exchange {
        SmtpReply command(String line, String what) throws IOException;
    }

    /** The last reply of the exchange (235 when authenticated), with what it was for. */
    record Outcome(AuthMechanism mechanism, String what, SmtpReply reply) {
    }

    /** The password or token, from its supplier: never empty. */
    static String secretOf(SmtpCredentials c, String label) throws SmtpConfigurationException {
        Supplier<String> supplier = c.tokenSupplier().or(c::passwordSupplier).orElseThrow();
        String kind = c.tokenSupplier().isPresent() ? "OAuth 2.0 token" : "password";
        String secret;
        try {
            secret = supplier.get();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof SmtpConfigurationException sc) {
                throw sc;
            }
            throw new SmtpConfigurationException("the " + kind + " of user '" + c.user() + "' for SMTP server " + label
                    + " cannot be read: " + e.getCause().getMessage(), e.getCause());
        } catch (RuntimeException e) {
            throw new SmtpConfigurationException("the " + kind + " supplier of user '" + c.user() + "' for SMTP server "
                    + label + " failed: " + e, e);
        }
        if (secret == null || secret.isEmpty()) {
            throw new SmtpConfigurationException("the " + kind + " of user '" + c.user() + "' for SMTP server " + label
                    + " is empty: not connecting (an empty " + kind + " is never sent)");
        }
        return secret;
    }

    /**
     * Picks the mechanism and runs the exchange.
     *
     * @throws SmtpCapabilityException when the credentials would go over a connection without TLS
     *         (not allowed), or no offered mechanism fits
     */
    static Outcome exchange(SmtpCredentials c, String secret, Capabilities capabilities, boolean tls,
            boolean allowWithoutTls, String label, Exchange wire) throws IOException {
        if (!tls && !allowWithoutTls) {
            throw new SmtpCapabilityException("not sending the credentials of user '" + c.user() + "' to SMTP server "
                    + label + " over a connection without TLS (use tls mode STARTTLS_REQUIRED or IMPLICIT, or allow"
                    + " authentication without TLS for a trusted local server)");
        }
        Set<String> offered = capabilities.authMechanisms();
        if (offered.isEmpty()) {
            throw new SmtpCapabilityException("SMTP server " + label + " does not offer AUTH"
                    + (!tls ? " on this plain connection (many servers offer it only after STARTTLS)" : "")
                    + ", but credentials for user '" + c.user() + "' are configured");
        }
        AuthMechanism m;
        if (c.mechanism().isPresent()) {
            m = c.mechanism().get();
            if (!offered.contains(m.name())) {
                throw new SmtpCapabilityException("SMTP server " + label + " does not offer AUTH " + m + " (it offers "
                        + String.join(", ", offered) + ")");
            }
        } else if (offered.contains("PLAIN")) {
            m = AuthMechanism.PLAIN;
        } else if (offered.contains("LOGIN")) {
            m = AuthMechanism.LOGIN;
        } else {
            throw new SmtpCapabilityException("SMTP server " + label + " offers AUTH " + String.join(", ", offered)
                    + ", none of which this client can use with a password (PLAIN, LOGIN)");
        }
        Base64.Encoder b64 = Base64.getEncoder();
        SmtpReply r;
        switch (m) {
            case PLAIN -> {
                String token = "\0" + c.user() + "\0" + secret;
                r = wire.command("AUTH PLAIN " + b64.encodeToString(token.getBytes(UTF_8)), "AUTH PLAIN");
            }
            case LOGIN -> {
                r = wire.command("AUTH LOGIN", "AUTH LOGIN");
                if (r.code() == 334) {
                    r = wire.command(b64.encodeToString(c.user().getBytes(UTF_8)), "AUTH LOGIN user name");
                }
                if (r.code() == 334) {
                    r = wire.command(b64.encodeToString(secret.getBytes(UTF_8)), "AUTH LOGIN password");
                }
            }
            case XOAUTH2 -> {
                String blob = "user=" + c.user() + "\u0001auth=Bearer " + secret + "\u0001\u0001";
                r = wire.command("AUTH XOAUTH2 " + b64.encodeToString(blob.getBytes(UTF_8)), "AUTH XOAUTH2");
                if (r.code() == 334) {
                    // The server's 334 carries a JSON error; an empty response gets the final reply.
                    r = wire.command("", "AUTH XOAUTH2 error response");
                }
            }
            default -> throw new IllegalStateException(m.toString());
        }
        return new Outcome(m, "authentication of user '" + c.user() + "' with " + m, r);
    }
}
