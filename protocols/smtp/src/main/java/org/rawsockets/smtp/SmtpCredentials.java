package org.rawsockets.smtp;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the client authenticates with: a user and a password (AUTH PLAIN or LOGIN), or a user and
 * an OAuth 2.0 access token supplier (AUTH XOAUTH2). {@link #toString()} never shows the secret.
 */
public final class SmtpCredentials {

    private final String user;
    private final String password;
    private final Supplier<String> tokenSupplier;
    private final AuthMechanism mechanism;

    private SmtpCredentials(String user, String password, Supplier<String> tokenSupplier, AuthMechanism mechanism) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("smtp credentials user must not be empty");
        }
        this.user = user;
        this.password = password;
        this.tokenSupplier = tokenSupplier;
        this.mechanism = mechanism;
    }

    /** User and password; the mechanism is chosen from what the server offers (PLAIN, then LOGIN). */
    public static SmtpCredentials password(String user, String password) {
        return new SmtpCredentials(user, Objects.requireNonNull(password, "password"), null, null);
    }

    /**
     * An OAuth 2.0 bearer token for XOAUTH2; {@code tokenSupplier} is called at each authentication
     * (it may refresh the token) and must not block for long.
     */
    public static SmtpCredentials oauth2(String user, Supplier<String> tokenSupplier) {
        return new SmtpCredentials(user, null, Objects.requireNonNull(tokenSupplier, "tokenSupplier"),
                AuthMechanism.XOAUTH2);
    }

    /**
     * These credentials restricted to {@code mechanism} (instead of the best one the server offers).
     *
     * @throws IllegalArgumentException when the mechanism does not fit the credentials
     */
    public SmtpCredentials withMechanism(AuthMechanism mechanism) {
        if (mechanism == AuthMechanism.XOAUTH2 && tokenSupplier == null) {
            throw new IllegalArgumentException("smtp auth mechanism XOAUTH2 needs a token supplier (SmtpCredentials.oauth2)");
        }
        if (mechanism != null && mechanism != AuthMechanism.XOAUTH2 && password == null) {
            throw new IllegalArgumentException("smtp auth mechanism " + mechanism + " needs a password");
        }
        return new SmtpCredentials(user, password, tokenSupplier, mechanism);
    }

    public String user() {
        return user;
    }

    /** The password, for PLAIN and LOGIN. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** The token supplier, for XOAUTH2. */
    public Optional<Supplier<String>> tokenSupplier() {
        return Optional.ofNullable(tokenSupplier);
    }

    /** The mechanism to use; empty: the best one the server offers. */
    public Optional<AuthMechanism> mechanism() {
        return Optional.ofNullable(mechanism);
    }

    @Override
    public String toString() {
        return "SmtpCredentials[user=" + user + ", " + (tokenSupplier != null ? "token=***" : "password=***")
                + (mechanism == null ? "" : ", mechanism=" + mechanism) + "]";
    }
}
