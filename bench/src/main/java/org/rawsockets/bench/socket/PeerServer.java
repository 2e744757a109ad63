package org.rawsockets.bench.socket;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The loopback peer every client of the socket bench talks to: a plain single-threaded NIO server
 * (one selector, no framework, so it favours none of the clients), run in a child JVM so that its
 * heap, threads and file descriptors are not counted against the client under test.
 *
 * <p>Protocols, all on 127.0.0.1 with ephemeral ports:
 * <ul>
 * <li><b>sink</b>: the client sends an 8-byte big-endian length N, then N bytes; the server
 * discards them and, when all N arrived, answers one byte ({@code 'K'}). The client's clock stops
 * at that byte, so the figure counts bytes the server has really read.
 * <li><b>source</b>: the client sends an 8-byte length N; the server sends N bytes as fast as the
 * client reads them.
 * <li><b>echo</b> (and the {@code idle} ports, one per client kind so TIME_WAIT of one kind never
 * starves the ephemeral ports of the next): every byte received is sent back; while a write is
 * incomplete the connection stops reading (bounded).
 * </ul>
 * It prints {@code PEER sink=<port> source=<port> echo=<port> idle=<p1>,<p2>,...} on stdout and
 * exits when its stdin closes (the parent ended).
 */
public final class PeerServer {

    private static final int BUFFER = 256 * 1024;

    private enum Kind { SINK, SOURCE, ECHO }

    private static final class Conn {
        final Kind kind;
        final ByteBuffer header = ByteBuffer.allocate(8);
        long remaining = -1;
        ByteBuffer pending;

        Conn(Kind kind) {
            this.kind = kind;
        }
    }

    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
    private final ByteBuffer ack = ByteBuffer.wrap(new byte[] {'K'});

    private PeerServer() throws IOException {
        this.selector = Selector.open();
        while (out.hasRemaining()) {
            out.put((byte) (out.position() * 31));
        }
    }

    public static void main(String[] args) throws Exception {
        int idlePorts = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        PeerServer server = new PeerServer();
        int sink = server.listen(Kind.SINK);
        int source = server.listen(Kind.SOURCE);
        int echo = server.listen(Kind.ECHO);
        List<String> idle = new ArrayList<>();
        for (int i = 0; i < idlePorts; i++) {
            idle.add(Integer.toString(server.listen(Kind.ECHO)));
        }
        System.out.println("PEER sink=" + sink + " source=" + source + " echo=" + echo + " idle=" + String.join(",", idle));
        System.out.flush();
        Thread watchdog = new Thread(() -> {
            try (InputStream stdin = System.in) {
                while (stdin.read() >= 0) {
                    // nothing is sent; EOF means the parent is gone
                }
            } catch (IOException e) {
                // parent gone
            }
            System.exit(0);
        }, "peer-stdin-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        server.loop();
    }

    private int listen(Kind kind) throws IOException {
        ServerSocketChannel ssc = ServerSocketChannel.open();
        ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8192);
        ssc.configureBlocking(false);
        ssc.register(selector, SelectionKey.OP_ACCEPT, kind);
        return ((InetSocketAddress) ssc.getLocalAddress()).getPort();
    }

    private void loop() throws IOException {
        while (true) {
            selector.select();
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                try {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept(key);
                        continue;
                    }
                    Conn c = (Conn) key.attachment();
                    if (key.isWritable()) {
                        writable(key, c);
                    }
                    if (key.isValid() && key.isReadable()) {
                        readable(key, c);
                    }
                } catch (IOException e) {
                    close(key);
                }
            }
        }
    }

    private void accept(SelectionKey key) throws IOException {
        ServerSocketChannel ssc = (ServerSocketChannel) key.channel();
        Kind kind = (Kind) key.attachment();
        SocketChannel ch;
        while ((ch = ssc.accept()) != null) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.register(selector, SelectionKey.OP_READ, new Conn(kind));
        }
    }

    private void readable(SelectionKey key, Conn c) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        in.clear();
        int n = ch.read(in);
        if (n < 0) {
            close(key);
            return;
        }
        in.flip();
        switch (c.kind) {
            case ECHO -> {
                ch.write(in);
                if (in.hasRemaining()) {
                    c.pending = ByteBuffer.allocate(in.remaining()).put(in).flip();
                    key.interestOps(SelectionKey.OP_WRITE);
                }
            }
            case SINK -> {
                if (!header(c)) {
                    return;
                }
                c.remaining -= in.remaining();
                if (c.remaining == 0) {
                    ch.write(ack.clear());
                } else if (c.remaining < 0) {
                    throw new IOException("sink: more bytes than announced");
                }
            }
            case SOURCE -> {
                if (c.remaining < 0 && header(c)) {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
            }
        }
    }

    /** Fills the 8-byte length header from {@link #in}; true once it is complete (sets remaining). */
    private boolean header(Conn c) {
        if (c.remaining >= 0) {
            return true;
        }
        while (c.header.hasRemaining() && in.hasRemaining()) {
            c.header.put(in.get());
        }
        if (c.header.hasRemaining()) {
            return false;
        }
        c.remaining = c.header.getLong(0);
        return true;
    }

    private void writable(SelectionKey key, Conn c) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        if (c.kind == Kind.ECHO) {
            ch.write(c.pending);
            if (!c.pending.hasRemaining()) {
                c.pending = null;
                key.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        // SOURCE
        while (c.remaining > 0) {
            out.clear().limit((int) Math.min(out.capacity(), c.remaining));
            int n = ch.write(out);
            c.remaining -= n;
            if (n == 0 || out.hasRemaining()) {
                return;
            }
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    private static void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
