package org.rawsockets.irc.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** One IRC network (factory PID {@code org.rawsockets.irc.network}). */
@ObjectClassDefinition(id = IrcNetworkComponent.PID, name = "Raw Sockets IRC network",
        description = "An IRC network to connect to; each configuration registers one IrcClient service with property"
                + " name and connects at once.")
public @interface NetworkConfig {

    @AttributeDefinition(description = "Name of this network: the IrcClient service property 'name' and the shell"
            + " commands' network argument")
    String name();

    @AttributeDefinition(required = false, description = "Host name or IP address of the server (or set endpoint)")
    String host() default "";

    @AttributeDefinition(required = false, description = "Named socket endpoint (org.rawsockets.socket.endpoint) used"
            + " instead of host/port")
    String endpoint() default "";

    @AttributeDefinition(required = false, description = "Port; 0 for the default (6697 with TLS, 6667 without)",
            min = "0", max = "65535")
    int port() default 0;

    @AttributeDefinition(description = "TLS on connect (certificate and host name verified)")
    boolean tls() default true;

    @AttributeDefinition(required = false, description = "Path of a PEM file with the CA certificates to trust instead"
            + " of the JDK trust store (the same property name as on socket endpoints)")
    String caCertificatesPath() default "";

    @AttributeDefinition(required = false, description = "Path of a PEM file with the TLS client certificate (chain),"
            + " for SASL EXTERNAL / CertFP; with clientKeyPath (the same property names as MQTT's)")
    String clientCertificatePath() default "";

    @AttributeDefinition(required = false, description = "Path of the PEM file with the client certificate's PKCS#8"
            + " private key, plain or encrypted (BEGIN ENCRYPTED PRIVATE KEY, then set .passphrase); read at each connect")
    String clientKeyPath() default "";

    /** Property {@code .passphrase}: {@code secret:NAME} of the encrypted client key's passphrase. */
    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "secret:NAME, where the file"
            + " NAME in the gateway's secrets/ folder holds the passphrase of an encrypted clientKeyPath (read at each"
            + " connect); a passphrase written here is refused")
    String _passphrase() default "";

    @AttributeDefinition(description = "Verify that the server certificate matches the host name")
    boolean verifyHostname() default true;

    @AttributeDefinition(description = "Nickname")
    String nick();

    @AttributeDefinition(required = false, description = "Nicknames to try when the nick is taken or refused,"
            + " separated by commas")
    String alternateNicks() default "";

    @AttributeDefinition(required = false, description = "User name (ident); empty: the nick")
    String user() default "";

    @AttributeDefinition(required = false, description = "Real name (gecos); empty: the nick")
    String realName() default "";

    @AttributeDefinition(description = "SASL mechanism", options = { @Option(value = "NONE", label = "None"),
            @Option(value = "PLAIN", label = "PLAIN (account and password)"),
            @Option(value = "EXTERNAL", label = "EXTERNAL (TLS client certificate)"),
            @Option(value = "SCRAM-SHA-256", label = "SCRAM-SHA-256 (account and password, never sent)") })
    String saslMechanism() default "NONE";

    @AttributeDefinition(required = false, description = "SASL account (PLAIN, SCRAM-SHA-256)")
    String saslAccount() default "";

    /**
     * Property {@code .password}: the SASL password as a reference {@code secret:NAME} to the file
     * NAME in the gateway's secrets folder; a literal password is refused. Private (leading dot).
     */
    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "secret:NAME, where the file"
            + " NAME in the gateway's secrets/ folder (mode 0600) holds the SASL password; a literal password is refused")
    String _password() default "";

    @AttributeDefinition(description = "Whether a SASL failure ends the registration (else the client goes on"
            + " without an account)")
    boolean saslRequired() default true;

    @AttributeDefinition(required = false, description = "Channels to join after each (re)connect, separated by"
            + " commas, each '#channel' or '#channel key'")
    String channels() default "";

    @AttributeDefinition(description = "Flood control: lines sent at once", min = "1", max = "1000")
    int floodBurst() default 5;

    @AttributeDefinition(description = "Flood control: one more line per this many milliseconds", min = "1")
    long floodIntervalMillis() default 2000;

    @AttributeDefinition(description = "PING after this many milliseconds without data", min = "1")
    long pingIntervalMillis() default 60_000;

    @AttributeDefinition(description = "Give the connection up after this many milliseconds without data", min = "1")
    long pingTimeoutMillis() default 180_000;

    @AttributeDefinition(description = "Reconnect after a lost connection")
    boolean reconnect() default true;

    @AttributeDefinition(description = "First reconnect delay, doubled per failure", min = "1")
    long reconnectMinMillis() default 2000;

    @AttributeDefinition(description = "Longest reconnect delay", min = "1")
    long reconnectMaxMillis() default 300_000;
}
