package org.rawsockets.mqtt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Factory configuration of one MQTT broker (PID {@code org.rawsockets.mqtt.broker}). */
@ObjectClassDefinition(id = BrokerConfig.PID, name = "Raw Sockets MQTT broker",
        description = "One MQTT broker; each configuration registers one MqttClient service with the service property"
                + " 'name'.")
public @interface BrokerConfig {

    String PID = "org.rawsockets.mqtt.broker";

    @AttributeDefinition(name = "Name", description = "Broker name used by the shell and the service property 'name',"
            + " e.g. site. Letters, digits, '.', '_' and '-'.")
    String name();

    @AttributeDefinition(name = "Host", required = false, description = "Host name or IP address of the broker."
            + " Leave empty when 'endpoint' is set.")
    String host() default "";

    @AttributeDefinition(name = "Socket endpoint", required = false, description = "Name of a socket endpoint"
            + " configured by the operator (it supplies address, port and TLS). Leave empty when 'host' is set.")
    String endpoint() default "";

    @AttributeDefinition(name = "WebSocket URI", required = false, description = "MQTT over WebSocket:"
            + " ws://host[:port]/path or wss://host[:port]/path (TLS; ports 80/443 when omitted); replaces host, port"
            + " and tls (the certificate properties apply to wss). Leave empty for MQTT over TCP.")
    String uri() default "";

    @AttributeDefinition(name = "HTTP proxy", required = false, description = "host:port of an HTTP proxy to"
            + " tunnel through with CONNECT (MQTT over TCP or WebSocket, with or without TLS: TLS runs end to end"
            + " inside the tunnel). The socket policy then sees the proxy, not the broker: grant the proxy. Empty:"
            + " straight to the broker.")
    String httpProxy() default "";

    @AttributeDefinition(name = "HTTP proxy user", required = false, description = "User name for the proxy"
            + " (Digest or Basic authentication, see httpProxyAuth, with .httpProxyPassword); empty: the proxy asks"
            + " for none")
    String httpProxyUser() default "";

    @AttributeDefinition(name = "HTTP proxy authentication", required = false, description = "any: answer the"
            + " proxy's 407 with Digest when it offers Digest, else Basic; digest: Digest only (a proxy offering"
            + " Basic alone is refused: the password would go in clear); basic: Basic on the first CONNECT without"
            + " waiting to be asked", options = { @Option(label = "any", value = "any"),
                @Option(label = "digest", value = "digest"), @Option(label = "basic", value = "basic") })
    String httpProxyAuth() default "any";

    /** {@code secret:NAME} of the proxy's password, as {@code .password}; private (leading dot). */
    @AttributeDefinition(name = "HTTP proxy password", required = false, type = AttributeType.PASSWORD,
            description = "secret:NAME, where the file NAME in the gateway's secrets/ folder (mode 0600) holds the"
                    + " proxy's password; a password written here is refused")
    String _httpProxyPassword() default "";

    @AttributeDefinition(name = "Port", min = "1", max = "65535", description = "1883 plain, 8883 TLS.")
    int port() default 1883;

    @AttributeDefinition(name = "TLS", options = { @Option(value = "OFF", label = "No TLS"),
        @Option(value = "ON", label = "TLS (mqtts)") })
    String tls() default "OFF";

    @AttributeDefinition(required = false, description = "Path of a PEM file with the CA certificates to trust"
            + " instead of the JDK trust store")
    String caCertificatesPath() default "";

    @AttributeDefinition(required = false, description = "Path of a PEM file with the client certificate (chain) for"
            + " TLS client authentication; with clientKey")
    String clientCertificatePath() default "";

    @AttributeDefinition(required = false, description = "Path of the PEM file with the client certificate's private"
            + " key (PKCS#8, unencrypted; keep it mode 0600)")
    String clientKeyPath() default "";

    @AttributeDefinition(description = "Verify that the broker certificate matches the host name")
    boolean verifyHostname() default true;

    @AttributeDefinition(name = "MQTT version", options = { @Option(value = "5", label = "MQTT 5.0"),
        @Option(value = "3.1.1", label = "MQTT 3.1.1") })
    String version() default "5";

    @AttributeDefinition(required = false, description = "Client identifier; empty: the broker name")
    String clientId() default "";

    @AttributeDefinition(description = "Start a new session at every connect (false: resume the persistent session)")
    boolean cleanStart() default false;

    @AttributeDefinition(min = "0", description = "MQTT 5 session expiry interval in seconds (0: the session ends"
            + " with the connection)")
    long sessionExpirySeconds() default 3600;

    @AttributeDefinition(min = "0", max = "65535", description = "Keep alive in seconds (PINGREQ when idle); 0: off")
    int keepAliveSeconds() default 60;

    @AttributeDefinition(required = false, description = "User name")
    String user() default "";

    /**
     * {@code secret:NAME}: the password is in the file {@code NAME} of the gateway's secrets folder; a
     * literal password is refused. Private (leading dot), so it is not copied to the service.
     */
    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "secret:NAME, where the"
            + " file NAME in the gateway's secrets/ folder (mode 0600) holds the password; a password written here is"
            + " refused")
    String _password() default "";

    /**
     * MQTT 5 enhanced authentication with a SASL mechanism (the property name IRC uses for the same
     * idea): SCRAM proves the user and the broker to each other in AUTH packets, the password itself
     * is never sent; any other name is a method a bundle provides ({@link org.rawsockets.mqtt.MqttAuthMethod}).
     */
    @AttributeDefinition(description = "Method of MQTT 5 enhanced authentication (AUTH packets): NONE (user and"
            + " password are sent in CONNECT), SCRAM-SHA-256 or SCRAM-SHA-512 (with user and password; the password is"
            + " never sent and the broker proves it knows it), or the name of a method a bundle provides as an"
            + " MqttAuthMethod service")
    String saslMechanism() default "NONE";

    @AttributeDefinition(min = "0", description = "Re-authenticate with saslMechanism this many seconds after the"
            + " last successful authentication of the connection (MQTT 5 AUTH Re-authenticate; the password is read"
            + " again each time); 0: only on request (mqtt:reauth)")
    int reauthIntervalSeconds() default 0;

    @AttributeDefinition(min = "1", max = "65535", description = "Receive Maximum: QoS 1/2 messages the broker may"
            + " send before this client acknowledges")
    int receiveMaximum() default 64;

    @AttributeDefinition(min = "64", max = "16777216", description = "Largest packet accepted from the broker (bytes);"
            + " also the read buffer of the connection")
    int maxPacketSize() default 1048576;

    @AttributeDefinition(min = "0", max = "65535", description = "MQTT 5 Topic Alias Maximum announced to the"
            + " broker: aliases it may use in messages it sends to this client; 0: none")
    int topicAliasMaximum() default 64;

    @AttributeDefinition(min = "0", max = "65535", description = "MQTT 5 topic aliases this client sets in its"
            + " publications at most (never more than the broker's Topic Alias Maximum; least recently used topic"
            + " replaced); 0: none")
    int outgoingTopicAliasMaximum() default 16;

    @AttributeDefinition(min = "1", max = "65535", description = "Outgoing QoS 1/2 messages in flight at most (and"
            + " never more than the broker's Receive Maximum)")
    int maxInFlight() default 65535;

    @AttributeDefinition(min = "0", max = "1000000", description = "Publications waiting for a connection or a send"
            + " slot, at most")
    int maxQueued() default 10000;

    @AttributeDefinition(description = "When the queue is full", options = {
        @Option(value = "REJECT_NEW", label = "Refuse the new message"),
        @Option(value = "DROP_OLDEST", label = "Drop the oldest queued message") })
    String queuePolicy() default "REJECT_NEW";

    @AttributeDefinition(required = false, description = "Directory of the file-backed offline queue: queued and"
            + " unacknowledged publications are also kept there, one file each, and sent after a restart of the bundle"
            + " or gateway (QoS 1/2 at least once across a restart); empty: memory only")
    String queueDirectory() default "";

    @AttributeDefinition(min = "1024", description = "Bytes the files of the file-backed offline queue may take;"
            + " queuePolicy applies when a publication does not fit")
    long maxQueuedBytes() default 67108864;

    @AttributeDefinition(required = false, description = "With queueDirectory: sync each queued publication's file"
            + " and its name to the disk (fsync) before the publication is accepted, so that it survives a power cut;"
            + " costs an fsync per publication (milliseconds on many disks). Off: it survives a restart of the bundle"
            + " or the gateway, not necessarily a power cut")
    boolean queueFsync() default false;

    @AttributeDefinition(required = false, description = "Will topic (published by the broker when the connection"
            + " is lost); empty: no will")
    String willTopic() default "";

    @AttributeDefinition(required = false, description = "Will payload (UTF-8)")
    String willPayload() default "";

    @AttributeDefinition(min = "0", max = "2", description = "Will QoS")
    int willQos() default 1;

    @AttributeDefinition(description = "Will retained")
    boolean willRetain() default false;

    @AttributeDefinition(min = "1")
    long connectTimeoutMillis() default 10000;

    @AttributeDefinition(min = "1", description = "Back-off after the first failed connect; doubles per failure"
            + " (with +-20% jitter)")
    long reconnectMinMillis() default 250;

    @AttributeDefinition(min = "1")
    long reconnectMaxMillis() default 30000;
}
