package org.rawsockets.coap.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Factory configuration of one CoAP device (PID {@code org.rawsockets.coap.device}). */
@ObjectClassDefinition(id = DeviceConfig.PID, name = "Raw Sockets CoAP device",
        description = "One CoAP device (server); each configuration registers one CoapClient service with the service"
                + " property 'name'.")
public @interface DeviceConfig {

    String PID = "org.rawsockets.coap.device";

    @AttributeDefinition(name = "Name", description = "Device name used by the shell and the service property 'name',"
            + " e.g. thermostat. Letters, digits, '.', '_' and '-'.")
    String name();

    @AttributeDefinition(name = "Host", required = false, description = "Host name or IP address of the device."
            + " Leave empty when 'endpoint' is set.")
    String host() default "";

    @AttributeDefinition(name = "Socket endpoint", required = false, description = "Name of a socket endpoint"
            + " configured by the operator (it supplies address and port). Leave empty when 'host' is set.")
    String endpoint() default "";

    @AttributeDefinition(name = "Port", min = "1", max = "65535", description = "UDP port (5683: coap, 5684: coaps)."
            + " Not changed by 'dtls': set 5684 for a coaps server on its usual port")
    int port() default 5683;

    @AttributeDefinition(name = "DTLS (coaps)", description = "DTLS 1.2 (RFC 7252 section 9): with a pre-shared key"
            + " (pskIdentity and .pskKey) or with certificates (caCertificatesPath, or serverPublicKeyPath)")
    boolean dtls() default false;

    @AttributeDefinition(name = "PSK identity", required = false, description = "Pre-shared key identity sent to the"
            + " device (not secret), 1..128 characters; only with dtls")
    String pskIdentity() default "";

    /**
     * {@code secret:NAME}: the pre-shared key is the content of the file {@code NAME} of the gateway's
     * secrets folder (UTF-8, like libcoap's {@code -k}); a literal key is refused. Private (leading
     * dot), so it is not copied to the service.
     */
    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "secret:NAME, where the"
            + " file NAME in the gateway's secrets/ folder (mode 0600) holds the pre-shared key; a key written here is"
            + " refused")
    String _pskKey() default "";

    @AttributeDefinition(required = false, description = "Path of a PEM file with the CA certificates the server's"
            + " certificate chain must end at (DTLS with certificates; the same property name as on socket endpoints);"
            + " read at each socket opening")
    String caCertificatesPath() default "";

    @AttributeDefinition(required = false, description = "Path of a PEM file with the certificate revocation lists"
            + " (-----BEGIN X509 CRL-----, e.g. from openssl ca -gencrl) of the CAs of caCertificatesPath and of any"
            + " intermediate CA: every certificate of the server's chain is checked against its issuer's list, and a"
            + " revoked one, or one whose issuer has no list here, fails the handshake; a list past its next update is"
            + " refused. Read at each socket opening (replace the file to update); empty: revocation not checked")
    String crlPath() default "";

    @AttributeDefinition(description = "Verify that the server certificate names serverName (the host when empty):"
            + " a DNS name, or an IP address among its IP subject alternative names")
    boolean verifyHostname() default true;

    @AttributeDefinition(required = false, description = "Name the server certificate must carry; empty: the host"
            + " (with an endpoint: the address it resolves to)")
    String serverName() default "";

    @AttributeDefinition(required = false, description = "Path of a PEM file with the client certificate (chain) for"
            + " servers that ask for one; with clientKeyPath (the same property names as MQTT's)")
    String clientCertificatePath() default "";

    @AttributeDefinition(required = false, description = "Path of the PEM file with the client certificate's"
            + " PKCS#8 private key (RSA, EC or Ed25519), plain or encrypted (BEGIN ENCRYPTED PRIVATE KEY, then set"
            + " .passphrase); a PKCS#1 BEGIN RSA PRIVATE KEY file: convert it with 'openssl pkcs8 -topk8 -nocrypt -in"
            + " KEY -out KEY.pk8'; keep it mode 0600")
    String clientKeyPath() default "";

    /** Property {@code .passphrase}: {@code secret:NAME} of an encrypted client key's passphrase. */
    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "secret:NAME, where the file"
            + " NAME in the gateway's secrets/ folder holds the passphrase of an encrypted clientKeyPath (BEGIN ENCRYPTED"
            + " PRIVATE KEY; read at each socket opening); a passphrase written here is refused")
    String _passphrase() default "";

    @AttributeDefinition(required = false, description = "Raw public key (RFC 7250): path of a PEM file with the"
            + " server's EC public key (BEGIN PUBLIC KEY; RSA is refused); the server must present exactly this key")
    String serverPublicKeyPath() default "";

    @AttributeDefinition(required = false, description = "Cipher suites offered, comma-separated, e.g."
            + " TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (EC or Ed25519 server certificate)"
            + " or TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (RSA server certificate); empty: the recommended suites of the"
            + " chosen keying (PSK: CCM_8, GCM, ECDHE-PSK; certificates: ECDHE_ECDSA and ECDHE_RSA; a raw public key"
            + " only: ECDHE_ECDSA)")
    String dtlsCipherSuites() default "";

    @AttributeDefinition(min = "500", max = "300000", description = "Deadline of one DTLS handshake, retransmissions"
            + " included; then the request fails with CoapHandshakeException")
    long handshakeTimeoutMillis() default 10_000;

    @AttributeDefinition(description = "Offer DTLS 1.2 Connection IDs (RFC 9146): a server that gives one keeps"
            + " the session when a NAT between the gateway and the device changes the gateway's address; false: not"
            + " offered (for a server that mishandles the extension)")
    boolean dtlsConnectionId() default true;

    @AttributeDefinition(min = "10", max = "60000", description = "RFC 7252 ACK_TIMEOUT: first retransmission timeout"
            + " of a confirmable message, doubled at each retransmission")
    long ackTimeoutMillis() default 2000;

    @AttributeDefinition(min = "1.0", max = "4.0", description = "RFC 7252 ACK_RANDOM_FACTOR: the first timeout is"
            + " random between ackTimeoutMillis and ackTimeoutMillis * this")
    float ackRandomFactor() default 1.5f;

    @AttributeDefinition(min = "0", max = "10", description = "RFC 7252 MAX_RETRANSMIT: retransmissions of a"
            + " confirmable message before the request fails with a timeout")
    int maxRetransmit() default 4;

    @AttributeDefinition(min = "100", description = "Overall deadline of one request (block-wise transfers included)")
    long timeoutMillis() default 60_000;

    @AttributeDefinition(min = "100", description = "Deadline of opening the UDP socket (policy check, resolution)")
    long connectTimeoutMillis() default 10_000;

    @AttributeDefinition(min = "16", max = "1024", description = "Block size of block-wise transfers (RFC 7959):"
            + " 16, 32, 64, 128, 256, 512 or 1024")
    int blockSize() default 1024;

    @AttributeDefinition(min = "1024", max = "67108864", description = "Largest request or response body"
            + " (reassembled from blocks); a larger response fails the request")
    int maxBodyBytes() default 2 * 1024 * 1024;
}
