package org.rawsockets.skeleton.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rawsockets.skeleton.SkeletonClient;
import org.rawsockets.skeleton.SkeletonException;
import org.rawsockets.skeleton.internal.codec.LineCodec;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * The client, on the socket service only: one connection per exchange (connect, send the line, read
 * the answer line, close). Every exchange ends by its deadline with the connection closed; a caller
 * that cancels the returned stage closes it at once.
 */
public final class SkeletonClientImpl implements SkeletonClient {

    private final SocketService sockets;
    private final SkeletonSettings settings;
    private final LineCodec codec;

    public SkeletonClientImpl(SocketService sockets, SkeletonSettings settings) {
        this.sockets = sockets;
        this.settings = settings;
        this.codec = new LineCodec(settings.maxLineBytes());
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String target() {
        return settings.target();
    }

    public SkeletonSettings settings() {
        return settings;
    }

    @Override
    public CompletionStage<String> exchange(String line) {
        String where = "server '" + settings.name() + "' (" + target() + "): exchange: ";
        byte[] request;
        TcpSocket socket;
        try {
            request = codec.encode(line);
            TcpSocketOptions options = TcpSocketOptions.builder().connectTimeout(settings.connectTimeout()).build();
            socket = settings.endpoint().isEmpty() ? sockets.openTcp(settings.host(), settings.port(), options)
                    : sockets.openTcpEndpoint(settings.endpoint(), options);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new SkeletonException(where + e.getMessage(), e));
        }
        FrameReader in = new FrameReader(socket.readable(), codec.bufferSize());
        CompletableFuture<String> out = new CompletableFuture<>();
        socket.opened().thenCompose(opened -> socket.writable().write(request)).thenCompose(sent -> codec.next(in))
                .thenApply(r -> {
                    if (r.done()) {
                        throw new CompletionException(new SkeletonException(where + "the server closed the connection"
                                + " without an answer"));
                    }
                    return r.value();
                }).toCompletableFuture().orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((answer, failure) -> {
                    socket.close();
                    if (failure == null) {
                        out.complete(answer);
                    } else {
                        out.completeExceptionally(failed(where, failure));
                    }
                });
        out.whenComplete((answer, failure) -> {
            if (out.isCancelled()) {
                socket.close();
            }
        });
        return out;
    }

    private SkeletonException failed(String where, Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof SkeletonException e) {
            return e;
        }
        if (t instanceof TimeoutException) {
            return new SkeletonException(where + "no answer within " + settings.timeout().toMillis() + " ms (timeoutMillis)");
        }
        if (t instanceof NetworkException e) {
            return new SkeletonException(where + e.getMessage() + " (" + e.reason() + ")", e);
        }
        return new SkeletonException(where + t, t);
    }
}
