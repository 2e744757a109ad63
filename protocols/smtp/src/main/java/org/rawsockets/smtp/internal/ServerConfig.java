package org.rawsockets.smtp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** One mail server (factory PID {@code org.rawsockets.smtp.server}). */
@ObjectClassDefinition(id = MailSenderComponent.PID, name = "Raw Sockets SMTP server",
        description = "A mail server to send through; each configuration registers one MailSender service with"
                + " property name.")
public @interface ServerConfig {

    @AttributeDefinition(description = "Name of this server: the MailSender service property 'name' and the"
            + " shell commands' server argument")
    String name();

    @AttributeDefinition(required = false, description = "Host name or IP address of the server (or set endpoint)")
    String host() default "";

    @AttributeDefinition(required = false, description = "Named socket endpoint (org.rawsockets.socket.endpoint)"
            + " used instead of host/port; its TLS mode must match (STARTTLS for the STARTTLS modes)")
    String endpoint() default "";

    @AttributeDefinition(required = false, description = "Port; 0 for the TLS mode's default (465 IMPLICIT,"
            + " 587 STARTTLS, 25 OFF)", min = "0", max = "65535")
    int port() default 0;

    @AttributeDefinition(description = "TLS mode", options = {
            @Option(value = "STARTTLS_REQUIRED", label = "STARTTLS, required (submission, 587)"),
            @Option(value = "STARTTLS_OPPORTUNISTIC", label = "STARTTLS when offered"),
            @Option(value = "IMPLICIT", label = "Implicit TLS (submissions, 465)"),
            @Option(value = "OFF", label = "No TLS (relay 25 or trusted network)") })
    String tls() default "STARTTLS_REQUIRED";

    @AttributeDefinition(required = false, description = "Path of a PEM file with the CA certificates to trust"
            + " instead of the JDK trust store (the same property name as on socket endpoints)")
    String caCertificatesPath() default "";

    @AttributeDefinition(required = false, description = "Deprecated alias of caCertificatesPath (logs a WARN; read"
            + " until 0.3, then removed)")
    String trustedCertificates() default "";

    @AttributeDefinition(description = "Verify that the server certificate matches the host name")
    boolean verifyHostname() default true;

    @AttributeDefinition(description = "AUTH mechanism: AUTO picks PLAIN or LOGIN from what the server offers;"
            + " NONE does not authenticate; XOAUTH2 sends the password as the OAuth 2.0 access token", options = {
                    @Option(value = "AUTO", label = "Best offered (PLAIN, LOGIN)"), @Option(value = "NONE", label = "None"),
                    @Option(value = "PLAIN", label = "PLAIN"), @Option(value = "LOGIN", label = "LOGIN"),
                    @Option(value = "XOAUTH2", label = "XOAUTH2") })
    String authMechanism() default "AUTO";

    @AttributeDefinition(required = false, description = "User name for AUTH; empty: no authentication")
    String user() default "";

    /**
     * Property {@code .password}: a reference {@code secret:NAME} to the file NAME in the gateway's
     * secrets folder (framework property {@code rawsockets.secrets.dir}); a literal password is
     * refused. Private (leading dot), so it is not copied to the service registration.
     */
    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "secret:NAME, where the"
            + " file NAME in the gateway's secrets/ folder (mode 0600) holds the password (or the OAuth 2.0 token for"
            + " XOAUTH2); a password written here is refused")
    String _password() default "";

    @AttributeDefinition(description = "Allow AUTH over a connection without TLS (only for a trusted local server)")
    boolean allowAuthWithoutTls() default false;

    @AttributeDefinition(description = "Name sent in EHLO")
    String clientName() default "localhost";

    @AttributeDefinition(name = "Connect timeout (ms)", min = "1", description = "TCP connect plus TLS handshake")
    long connectTimeoutMillis() default 30000;

    @AttributeDefinition(name = "Command timeout (ms)", min = "1", description = "Each command's whole reply, each"
            + " write")
    long commandTimeoutMillis() default 60000;

    @AttributeDefinition(name = "Data timeout (ms)", min = "1", description = "The reply after the message data"
            + " (RFC 5321: 10 minutes)")
    long dataTimeoutMillis() default 600000;

    @AttributeDefinition(name = "Operation timeout (ms)", min = "1", description = "Overall limit on one operation"
            + " (a send, a probe, opening a session: connect, greeting, EHLO, STARTTLS, AUTH), from the call to the"
            + " result; at the limit the connection is closed at once")
    long timeoutMillis() default 900000;

    @AttributeDefinition(description = "Use PIPELINING when offered")
    boolean pipelining() default true;

    @AttributeDefinition(description = "Use CHUNKING (BDAT) when offered")
    boolean chunking() default false;
}
