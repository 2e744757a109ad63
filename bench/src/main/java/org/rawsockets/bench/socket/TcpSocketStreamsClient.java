package org.rawsockets.bench.socket;

import java.net.InetSocketAddress;
import java.time.Duration;

import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;

/**
 * The product through its blocking views: {@code readable().inputStream(..)} and
 * {@code writable().outputStream(..)} on the calling thread, the same loops as
 * {@link BlockingClient}.
 */
final class TcpSocketStreamsClient implements Client {

    private static final Duration WAIT = TIMEOUT;

    private final byte[] chunk = Client.chunk();
    private final SocketService service;

    TcpSocketStreamsClient(SocketService service) {
        this.service = service;
    }

    @Override
    public String name() {
        return "TcpSocket (streams)";
    }

    @Override
    public long upload(InetSocketAddress sink, long bytes) throws Exception {
        TcpSocket s = TcpSocketClient.open(service, sink);
        try {
            return BlockingClient.upload(s.readable().inputStream(WAIT), s.writable().outputStream(WAIT), chunk, bytes);
        } finally {
            TcpSocketClient.closeAndWait(s);
        }
    }

    @Override
    public long download(InetSocketAddress source, long bytes) throws Exception {
        TcpSocket s = TcpSocketClient.open(service, source);
        try {
            return BlockingClient.download(s.readable().inputStream(WAIT), s.writable().outputStream(WAIT), bytes);
        } finally {
            TcpSocketClient.closeAndWait(s);
        }
    }

    @Override
    public long[] echo(InetSocketAddress echo, int count) throws Exception {
        TcpSocket s = TcpSocketClient.open(service, echo);
        try {
            return BlockingClient.echo(s.readable().inputStream(WAIT), s.writable().outputStream(WAIT), count);
        } finally {
            TcpSocketClient.closeAndWait(s);
        }
    }

    @Override
    public Idle openIdle(InetSocketAddress echo, int count) throws Exception {
        return TcpSocketClient.openIdle(service, echo, count);
    }

    @Override
    public void close() {
    }
}
