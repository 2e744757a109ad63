package org.rawsockets.irc;

/** The SASL mechanism used during registration. */
public enum SaslMechanism {
    /** No SASL. */
    NONE,
    /** Account and password (RFC 4616); use it over TLS only. */
    PLAIN,
    /** The TLS client certificate (CertFP); configure it in {@link IrcSettings.Builder#clientCertificate}. */
    EXTERNAL
}
