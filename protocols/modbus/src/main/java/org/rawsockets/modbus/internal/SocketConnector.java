package org.rawsockets.modbus.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.rawsockets.modbus.ModbusConnectionException;
import org.rawsockets.modbus.ModbusTransport;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.ReadableStream;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocket;
import org.rawsockets.socket.UdpSocketOptions;

/** Opens links through the {@link SocketService}: a TCP connection or a connected UDP socket. */
final class SocketConnector implements Link.Connector {

    private final SocketService sockets;
    private final ClientSettings settings;

    SocketConnector(SocketService sockets, ClientSettings settings) {
        this.sockets = sockets;
        this.settings = settings;
    }

    @Override
    public String target() {
        return settings.target();
    }

    @Override
    public CompletionStage<Link> connect(Link.Listener listener) {
        return settings.transport() == ModbusTransport.UDP ? connectUdp(listener) : connectTcp(listener);
    }

    private CompletionStage<Link> connectTcp(Link.Listener listener) {
        TcpSocketOptions options = TcpSocketOptions.builder().noDelay(true)
                .connectTimeout(settings.connectTimeout()).build();
        TcpSocket socket = settings.endpoint().isEmpty()
                ? sockets.openTcp(settings.host(), settings.port(), options)
                : sockets.openTcpEndpoint(settings.endpoint(), options);
        CompletableFuture<Link> result = new CompletableFuture<>();
        socket.opened().whenComplete((info, error) -> {
            if (error != null) {
                socket.close();
                result.completeExceptionally(error);
            } else {
                TcpLink link = new TcpLink(socket, listener);
                result.complete(link);
                link.readLoop();
            }
        });
        return result;
    }

    private CompletionStage<Link> connectUdp(Link.Listener listener) {
        UdpSocket socket = settings.endpoint().isEmpty()
                ? sockets.openUdp(UdpSocketOptions.connected(settings.host(), settings.port()))
                : sockets.openUdpEndpoint(settings.endpoint(), UdpSocketOptions.connected("localhost", 1));
        CompletableFuture<Link> result = new CompletableFuture<>();
        socket.opened().whenComplete((info, error) -> {
            if (error != null) {
                socket.close();
                result.completeExceptionally(error);
            } else {
                UdpLink link = new UdpLink(socket, listener);
                result.complete(link);
                link.readLoop();
            }
        });
        return result;
    }

    /** A TCP connection; reads in a loop without recursion when reads complete synchronously. */
    static final class TcpLink implements Link {
        private final TcpSocket socket;
        private final Link.Listener listener;

        TcpLink(TcpSocket socket, Link.Listener listener) {
            this.socket = socket;
            this.listener = listener;
        }

        @Override
        public void send(ByteBuffer data) {
            socket.writable().write(data).whenComplete((v, e) -> {
                if (e != null) {
                    listener.writeFailed(this, e);
                }
            });
        }

        @Override
        public boolean datagram() {
            return false;
        }

        @Override
        public void close() {
            socket.close();
        }

        void readLoop() {
            new ReadPump<>(socket.readable(), this, listener, r -> r, "the device closed the connection").run();
        }
    }

    /** A connected UDP socket: one ADU per datagram. */
    static final class UdpLink implements Link {
        private final UdpSocket socket;
        private final Link.Listener listener;

        UdpLink(UdpSocket socket, Link.Listener listener) {
            this.socket = socket;
            this.listener = listener;
        }

        @Override
        public void send(ByteBuffer data) {
            socket.writable().write(UdpMessage.of(data)).whenComplete((v, e) -> {
                if (e != null) {
                    listener.writeFailed(this, e);
                }
            });
        }

        @Override
        public boolean datagram() {
            return true;
        }

        @Override
        public void close() {
            socket.close();
        }

        void readLoop() {
            new ReadPump<>(socket.readable(), this, listener, UdpMessage::data, "the UDP socket was closed").run();
        }
    }

    /**
     * Reads a stream until it ends or fails and hands each element's payload to the listener. Reads
     * that complete at once are handled in a loop (no recursion); a pending read resumes the loop from
     * its completion.
     */
    private record ReadPump<T>(ReadableStream<T> stream, Link link, Link.Listener listener,
            Function<T, ByteBuffer> payload, String endMessage) implements Runnable {

        @Override
        public void run() {
            while (true) {
                CompletableFuture<ReadResult<T>> f = stream.read().toCompletableFuture();
                if (!f.isDone()) {
                    f.whenComplete((r, e) -> {
                        if (handle(r, e)) {
                            run();
                        }
                    });
                    return;
                }
                ReadResult<T> r;
                try {
                    r = f.join();
                } catch (RuntimeException e) {
                    handle(null, e.getCause() == null ? e : e.getCause());
                    return;
                }
                if (!handle(r, null)) {
                    return;
                }
            }
        }

        /** @return whether to read on */
        private boolean handle(ReadResult<T> r, Throwable e) {
            if (e != null) {
                listener.closed(link, e);
                return false;
            }
            if (r.done()) {
                listener.closed(link, new ModbusConnectionException(endMessage));
                return false;
            }
            listener.received(link, payload.apply(r.value()));
            return true;
        }
    }
}
