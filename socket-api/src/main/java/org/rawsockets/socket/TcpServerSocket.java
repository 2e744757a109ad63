package org.rawsockets.socket;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A listening TCP socket (Direct Sockets {@code TCPServerSocket}). Accepted connections arrive on
 * {@link #readable()}, already open; they belong to the same bundle and count against its quotas.
 * While nobody reads, accepting pauses once a bounded number of connections wait, and further
 * clients stay in the kernel's backlog.
 */
@ProviderType
public interface TcpServerSocket {

    CompletionStage<TcpServerOpenInfo> opened();

    /** Accepted connections. */
    ReadableStream<TcpSocket> readable();

    CompletionStage<Void> closed();

    /** Stops listening; idempotent. Connections already accepted stay open. */
    CompletionStage<Void> close();

    SocketInfo info();
}
