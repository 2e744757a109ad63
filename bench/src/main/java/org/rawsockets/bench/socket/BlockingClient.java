package org.rawsockets.bench.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Blocking {@link java.net.Socket} with its streams, on the calling thread. */
final class BlockingClient implements Client {

    private final byte[] chunk = Client.chunk();

    @Override
    public String name() {
        return "java.net.Socket";
    }

    private static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) TIMEOUT.toMillis());
        s.connect(a, (int) TIMEOUT.toMillis());
        return s;
    }

    @Override
    public long upload(InetSocketAddress sink, long bytes) throws Exception {
        try (Socket s = connect(sink)) {
            return upload(s.getInputStream(), s.getOutputStream(), chunk, bytes);
        }
    }

    /** The upload measurement on a pair of blocking streams. */
    static long upload(InputStream in, OutputStream out, byte[] chunk, long bytes) throws IOException {
        long t0 = System.nanoTime();
        out.write(Client.header(bytes));
        long left = bytes;
        while (left > 0) {
            int n = (int) Math.min(CHUNK, left);
            out.write(chunk, 0, n);
            left -= n;
        }
        out.flush();
        if (in.read() != 'K') {
            throw new IOException("sink did not acknowledge");
        }
        return System.nanoTime() - t0;
    }

    @Override
    public long download(InetSocketAddress source, long bytes) throws Exception {
        try (Socket s = connect(source)) {
            return download(s.getInputStream(), s.getOutputStream(), bytes);
        }
    }

    /** The download measurement on a pair of blocking streams. */
    static long download(InputStream in, OutputStream out, long bytes) throws IOException {
        long t0 = System.nanoTime();
        out.write(Client.header(bytes));
        out.flush();
        byte[] buf = new byte[CHUNK];
        long left = bytes;
        while (left > 0) {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("source ended " + left + " bytes early");
            }
            left -= n;
        }
        return System.nanoTime() - t0;
    }

    @Override
    public long[] echo(InetSocketAddress echo, int count) throws Exception {
        try (Socket s = connect(echo)) {
            return echo(s.getInputStream(), s.getOutputStream(), count);
        }
    }

    /** The echo measurement on a pair of blocking streams. */
    static long[] echo(InputStream in, OutputStream out, int count) throws IOException {
        long[] rtt = new long[count];
        byte[] msg = new byte[ECHO_SIZE];
        byte[] back = new byte[ECHO_SIZE];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            out.write(msg);
            out.flush();
            int got = 0;
            while (got < ECHO_SIZE) {
                int n = in.read(back, got, ECHO_SIZE - got);
                if (n < 0) {
                    throw new IOException("echo peer closed");
                }
                got += n;
            }
            rtt[i] = System.nanoTime() - t0;
        }
        return rtt;
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
