package org.rawsockets.coap.internal;

import java.net.InetSocketAddress;

import org.eclipse.californium.elements.Connector;

/** The connector of one device's endpoint: plain ({@link SocketConnector}) or DTLS ({@link DtlsSocketConnector}). */
interface DeviceConnector extends Connector {

    /** The device's resolved address (what requests are addressed to). */
    InetSocketAddress peer();

    long datagramsSent();

    long datagramsReceived();

    /** Datagrams (decrypted ones for DTLS) dropped before Californium because they are malformed. */
    long datagramsMalformed();
}
