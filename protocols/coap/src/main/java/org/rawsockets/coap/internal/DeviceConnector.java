package org.rawsockets.coap.internal;

import java.net.InetSocketAddress;

import org.eclipse.californium.elements.Connector;

/** The connector of one device's endpoint: plain ({@link SocketConnector}) or DTLS ({@link DtlsSocketConnector}). */
interface DeviceConnector extends Connector {

    /** The device's resolved address (what requests are addressed to). */
    InetSocketAddress peer();

    /**
     * The DNS name this connector sends as the server name (SNI, RFC 6066) in its DTLS handshakes, so
     * a server with several certificates presents the one for this name; null when none is sent
     * (plain CoAP, pre-shared keys, no {@code serverName}, or an IP literal, which SNI cannot carry).
     * Requests carry it as their destination's virtual host.
     */
    default String serverNameIndication() {
        return null;
    }

    long datagramsSent();

    long datagramsReceived();

    /** Datagrams (decrypted ones for DTLS) dropped before Californium because they are malformed. */
    long datagramsMalformed();
}
