package org.rawsockets.smtp;

/** How an SMTP connection uses TLS. */
public enum SmtpTlsMode {
    /** Implicit TLS from the first byte (submissions port 465, RFC 8314). */
    IMPLICIT,
    /** Plain connect, then STARTTLS; fail if the server does not offer it (port 587). */
    STARTTLS_REQUIRED,
    /** Plain connect, STARTTLS when the server offers it, else stay plain. */
    STARTTLS_OPPORTUNISTIC,
    /** No TLS (port 25 relay, or a local test server). */
    OFF;

    /** The usual port of this mode: 465, 587, 587 or 25. */
    public int defaultPort() {
        return switch (this) {
            case IMPLICIT -> 465;
            case STARTTLS_REQUIRED, STARTTLS_OPPORTUNISTIC -> 587;
            case OFF -> 25;
        };
    }
}
