package org.rawsockets.socket;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A UDP socket (Direct Sockets {@code UDPSocket}), connected or bound.
 *
 * <p>Datagrams larger than the service's maximum datagram size are refused on send
 * ({@link IllegalArgumentException} from {@code write}) and truncated-and-dropped on receive (and
 * counted). Received datagrams wait in a bounded queue; when it is full, further datagrams are
 * dropped and counted, as UDP would.
 */
@ProviderType
public interface UdpSocket {

    CompletionStage<UdpOpenInfo> opened();

    /** Datagrams received. */
    ReadableStream<UdpMessage> readable();

    /** Datagrams to send. {@code close()} of this side closes the socket. */
    WritableStream<UdpMessage> writable();

    /** Multicast group membership (bound sockets only). */
    MulticastController multicast();

    CompletionStage<Void> closed();

    /** Closes the socket; idempotent; cancels a pending open. */
    CompletionStage<Void> close();

    SocketInfo info();

    /** Datagrams dropped so far: receive queue full, too large, or refused by the policy. */
    long droppedDatagrams();
}
