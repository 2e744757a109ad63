package org.rawsockets.smtp;

/** SASL mechanisms for SMTP AUTH (RFC 4954). */
public enum AuthMechanism {
    /** RFC 4616: user and password in one message. */
    PLAIN,
    /** The de-facto LOGIN mechanism: user, then password. */
    LOGIN,
    /** OAuth 2.0 bearer token (Google/Microsoft {@code XOAUTH2}). */
    XOAUTH2
}
