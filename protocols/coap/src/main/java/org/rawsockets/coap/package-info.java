/**
 * CoAP client (RFC 7252, Observe RFC 7641, Block-wise RFC 7959) on the socket service: one
 * {@link org.rawsockets.coap.CoapClient} service per configured device (factory PID
 * {@code org.rawsockets.coap.device}). Every datagram goes through a {@code UdpSocket} of the
 * bundle's {@code SocketService}, so the per-bundle policy sees all of them. Multicast resource
 * discovery (RFC 7252 section 8, RFC 7390): {@link org.rawsockets.coap.CoapGroupDiscovery} (PID
 * {@code org.rawsockets.coap.discovery}). A device configured with {@code dtls = true} is reached
 * over DTLS 1.2 ({@code coaps}) with a pre-shared key or with certificates (X.509 chains checked against
 * configured CA certificates and the server's name, an optional client certificate, or a pinned raw
 * public key, certificate revocation lists); a failed handshake is a
 * {@link org.rawsockets.coap.CoapHandshakeException}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.rawsockets.coap;
