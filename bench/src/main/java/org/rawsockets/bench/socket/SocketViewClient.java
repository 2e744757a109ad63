package org.rawsockets.bench.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import javax.net.SocketFactory;

import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocketOptions;

/**
 * The product's {@code java.net.Socket} view ({@code SocketService.socketFactory()}, issue 13): the
 * same blocking loops as {@link BlockingClient}, on sockets backed by TcpSockets, so the two are
 * compared like for like.
 */
final class SocketViewClient implements Client {

    private final byte[] chunk = Client.chunk();
    private final SocketFactory factory;

    SocketViewClient(SocketService service) {
        this.factory = service.socketFactory(TcpSocketOptions.builder().noDelay(true).build());
    }

    @Override
    public String name() {
        return "Socket view";
    }

    private Socket connect(InetSocketAddress a) throws IOException {
        Socket s = factory.createSocket();
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) TIMEOUT.toMillis());
        s.connect(a, (int) TIMEOUT.toMillis());
        return s;
    }

    @Override
    public long upload(InetSocketAddress sink, long bytes) throws Exception {
        try (Socket s = connect(sink)) {
            return BlockingClient.upload(s.getInputStream(), s.getOutputStream(), chunk, bytes);
        }
    }

    @Override
    public long download(InetSocketAddress source, long bytes) throws Exception {
        try (Socket s = connect(source)) {
            return BlockingClient.download(s.getInputStream(), s.getOutputStream(), bytes);
        }
    }

    @Override
    public long[] echo(InetSocketAddress echo, int count) throws Exception {
        try (Socket s = connect(echo)) {
            return BlockingClient.echo(s.getInputStream(), s.getOutputStream(), count);
        }
    }

    @Override
    public Idle openIdle(InetSocketAddress echo, int count) throws Exception {
        List<Socket> sockets = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(connect(echo));
            }
        } catch (Exception e) {
            for (Socket s : sockets) {
                s.close();
            }
            throw e;
        }
        return new Idle() {
            @Override
            public int count() {
                return sockets.size();
            }

            @Override
            public void close() throws IOException {
                for (Socket s : sockets) {
                    s.close();
                }
                sockets.clear();
            }
        };
    }

    @Override
    public void close() {
    }
}
