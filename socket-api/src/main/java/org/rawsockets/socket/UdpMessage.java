package org.rawsockets.socket;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One datagram (Direct Sockets {@code UDPMessage}).
 *
 * <p>Received: {@code remoteAddress} is the source IP literal and {@code remotePort} its port.
 * Sent in bound mode: the destination (host name or IP literal, resolved per send with
 * {@code dnsQueryType}); in connected mode both must be absent ({@code null}, 0).
 *
 * @param data the payload (the socket takes ownership when sending)
 * @param remoteAddress source or destination, {@code null} in connected mode
 * @param remotePort source or destination port, 0 in connected mode
 * @param dnsQueryType how a destination host name is resolved, {@code null} for the socket's
 */
public record UdpMessage(ByteBuffer data, String remoteAddress, int remotePort, DnsQueryType dnsQueryType) {

    public UdpMessage {
        Objects.requireNonNull(data, "data");
        if (remoteAddress != null) {
            remoteAddress = Checks.host("remoteAddress", remoteAddress);
            Checks.port("remotePort", remotePort, 1);
        } else if (remotePort != 0) {
            throw new IllegalArgumentException("remotePort needs a remoteAddress, was " + remotePort);
        }
    }

    /** A message for a connected socket. */
    public static UdpMessage of(ByteBuffer data) {
        return new UdpMessage(data, null, 0, null);
    }

    /** A message for a connected socket. */
    public static UdpMessage of(byte[] data) {
        return of(ByteBuffer.wrap(data));
    }

    /** A message for a bound socket, to {@code host:port}. */
    public static UdpMessage to(String host, int port, ByteBuffer data) {
        return new UdpMessage(data, host, port, null);
    }

    /** A message for a bound socket, to {@code host:port}. */
    public static UdpMessage to(String host, int port, byte[] data) {
        return to(host, port, ByteBuffer.wrap(data));
    }

    /** The payload copied into a new array (the buffer's position is not moved). */
    public byte[] bytes() {
        ByteBuffer d = data.duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return b;
    }
}
