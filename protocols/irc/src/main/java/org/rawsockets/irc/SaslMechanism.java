package org.rawsockets.irc;

/** The SASL mechanism used during registration. */
public enum SaslMechanism {
    /** No SASL. */
    NONE("NONE"),
    /** Account and password (RFC 4616); use it over TLS only: the password crosses the connection. */
    PLAIN("PLAIN"),
    /** The TLS client certificate (CertFP); configure it in {@link IrcSettings.Builder#tls(org.rawsockets.socket.TlsOptions)}. */
    EXTERNAL("EXTERNAL"),
    /**
     * Account and password with SCRAM-SHA-256 (RFC 5802, RFC 7677): the password never crosses the
     * connection and the server proves it knows it.
     */
    SCRAM_SHA_256("SCRAM-SHA-256");

    private final String wireName;

    SaslMechanism(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire ({@code AUTHENTICATE SCRAM-SHA-256}) and in configurations. */
    public String wireName() {
        return wireName;
    }

    /** Whether the mechanism needs an account and a password. */
    public boolean usesPassword() {
        return this == PLAIN || this == SCRAM_SHA_256;
    }

    /** The mechanism named {@code name} ("scram-sha-256", "PLAIN"...), case-insensitive. */
    public static SaslMechanism of(String name) {
        for (SaslMechanism m : values()) {
            if (m.wireName.equalsIgnoreCase(name.strip()) || m.name().equalsIgnoreCase(name.strip())) {
                return m;
            }
        }
        throw new IllegalArgumentException("not a SASL mechanism: '" + name + "' (NONE, PLAIN, EXTERNAL or SCRAM-SHA-256)");
    }
}
