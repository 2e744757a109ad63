package org.rawsockets.smtp;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the client authenticates with: a user and a password (AUTH PLAIN or LOGIN), or a user and
 * an OAuth 2.0 access token (AUTH XOAUTH2). The password or token is fixed, or read from a supplier
 * each time the client authenticates (e.g. from a secret file), so it need not be held in memory
 * between connections. {@link #toString()} never shows the secret. An empty password or token is
 * never sent: it is refused here (fixed) or when the client authenticates (supplied).
 */
public final class SmtpCredentials {

    private final String user;
    private final String password;
    private final Supplier<String> secretSupplier;
    private final boolean token;
    private final AuthMechanism mechanism;

    private SmtpCredentials(String user, String password, Supplier<String> secretSupplier, boolean token,
            AuthMechanism mechanism) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("smtp credentials user must not be empty");
        }
        this.user = user;
        this.password = password;
        this.secretSupplier = secretSupplier;
        this.token = token;
        this.mechanism = mechanism;
    }

    /**
     * User and password; the mechanism is chosen from what the server offers (PLAIN, then LOGIN).
     *
     * @throws IllegalArgumentException when the password is empty (configure no credentials instead)
     */
    public static SmtpCredentials password(String user, String password) {
        Objects.requireNonNull(password, "password");
        if (password.isEmpty()) {
            throw new IllegalArgumentException("smtp password for user '" + user + "' must not be empty (an empty"
                    + " password is never sent; to send without AUTH, configure no credentials)");
        }
        return new SmtpCredentials(user, password, null, false, null);
    }

    /**
     * User and a password read from {@code passwordSupplier} each time the client authenticates (before
     * it connects); the supplier must not block for long. An {@link java.io.UncheckedIOException} it
     * throws fails the connect with its cause (e.g. an {@link SmtpConfigurationException} naming a
     * missing secret file); an empty or {@code null} password fails it with
     * {@link SmtpConfigurationException}.
     *
     * @since 1.1
     */
    public static SmtpCredentials password(String user, Supplier<String> passwordSupplier) {
        return new SmtpCredentials(user, null, Objects.requireNonNull(passwordSupplier, "passwordSupplier"), false,
                null);
    }

    /**
     * An OAuth 2.0 bearer token for XOAUTH2; {@code tokenSupplier} is called at each authentication
     * (it may refresh the token) and must not block for long.
     */
    public static SmtpCredentials oauth2(String user, Supplier<String> tokenSupplier) {
        return new SmtpCredentials(user, null, Objects.requireNonNull(tokenSupplier, "tokenSupplier"), true,
                AuthMechanism.XOAUTH2);
    }

    /**
     * These credentials restricted to {@code mechanism} (instead of the best one the server offers).
     *
     * @throws IllegalArgumentException when the mechanism does not fit the credentials
     */
    public SmtpCredentials withMechanism(AuthMechanism mechanism) {
        if (mechanism == AuthMechanism.XOAUTH2 && !token) {
            throw new IllegalArgumentException("smtp auth mechanism XOAUTH2 needs a token supplier (SmtpCredentials.oauth2)");
        }
        if (mechanism != null && mechanism != AuthMechanism.XOAUTH2 && token) {
            throw new IllegalArgumentException("smtp auth mechanism " + mechanism + " needs a password");
        }
        return new SmtpCredentials(user, password, secretSupplier, token, mechanism);
    }

    public String user() {
        return user;
    }

    /** The fixed password, for PLAIN and LOGIN; empty for a token or a password from a supplier. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /**
     * What authentication with PLAIN or LOGIN calls for the password: the supplier given, or one
     * returning the fixed password; empty for a token.
     *
     * @since 1.1
     */
    public Optional<Supplier<String>> passwordSupplier() {
        if (token) {
            return Optional.empty();
        }
        return Optional.of(password != null ? () -> password : secretSupplier);
    }

    /** The token supplier, for XOAUTH2. */
    public Optional<Supplier<String>> tokenSupplier() {
        return token ? Optional.of(secretSupplier) : Optional.empty();
    }

    /** The mechanism to use; empty: the best one the server offers. */
    public Optional<AuthMechanism> mechanism() {
        return Optional.ofNullable(mechanism);
    }

    @Override
    public String toString() {
        return "SmtpCredentials[user=" + user + ", " + (token ? "token=***" : "password=***")
                + (mechanism == null ? "" : ", mechanism=" + mechanism) + "]";
    }
}
