package org.rawsockets.bench.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.CloseFuture;
import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.service.IoHandler;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSocketConnector;

/**
 * Raw Apache MINA: one {@link NioSocketConnector} with as many NIO processors as the socket engine
 * (2), no filters, {@link IoBuffer} straight to the handler, MINA's default (adaptive) read buffer.
 * Backpressure on writes as a MINA user does it: keep writing while
 * {@link IoSession#getScheduledWriteBytes()} is under the same high-water mark the engine uses and
 * refill from {@code messageSent}.
 */
final class MinaClient implements Client {

    static final int HIGH_WATER = 256 * 1024;
    private static final AttributeKey HANDLER = new AttributeKey(MinaClient.class, "handler");

    private final byte[] chunk = Client.chunk();
    private final NioSocketConnector connector;

    MinaClient() {
        connector = new NioSocketConnector(2);
        connector.getSessionConfig().setTcpNoDelay(true);
        Integer readBuffer = Integer.getInteger("bench.mina.readBufferSize");
        if (readBuffer != null) { // experiments only (-Dbench.mina.readBufferSize=...); the bench runs MINA's defaults
            connector.getSessionConfig().setMaxReadBufferSize(Math.max(readBuffer,
                    connector.getSessionConfig().getMaxReadBufferSize()));
            connector.getSessionConfig().setReadBufferSize(readBuffer);
            connector.getSessionConfig().setMinReadBufferSize(Math.min(readBuffer, 65536));
        }
        connector.setConnectTimeoutMillis(TIMEOUT.toMillis());
        connector.setHandler(new IoHandlerAdapter() {
            private IoHandler h(IoSession s) {
                return (IoHandler) s.getAttribute(HANDLER);
            }

            @Override
            public void sessionOpened(IoSession session) throws Exception {
                h(session).sessionOpened(session);
            }

            @Override
            public void messageReceived(IoSession session, Object message) throws Exception {
                h(session).messageReceived(session, message);
            }

            @Override
            public void messageSent(IoSession session, Object message) throws Exception {
                h(session).messageSent(session, message);
            }

            @Override
            public void exceptionCaught(IoSession session, Throwable cause) throws Exception {
                h(session).exceptionCaught(session, cause);
            }

            @Override
            public void sessionClosed(IoSession session) throws Exception {
                h(session).sessionClosed(session);
            }
        });
    }

    @Override
    public String name() {
        return "raw MINA";
    }

    /** Handler of one measured session: completes {@link #done} with the elapsed nanos. */
    private abstract static class Op extends IoHandlerAdapter {
        final CompletableFuture<Long> done = new CompletableFuture<>();
        long t0;

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            done.completeExceptionally(cause);
            session.closeNow();
        }

        @Override
        public void sessionClosed(IoSession session) {
            done.completeExceptionally(new IOException("session closed before the measurement ended"));
        }
    }

    private long run(InetSocketAddress a, Op op) throws Exception {
        ConnectFuture cf = connector.connect(a, (s, f) -> s.setAttribute(HANDLER, op));
        if (!cf.await(TIMEOUT.toMillis()) || !cf.isConnected()) {
            throw new IOException("MINA connect to " + a + " failed", cf.getException());
        }
        IoSession session = cf.getSession();
        try {
            return op.done.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            session.closeNow().await(TIMEOUT.toMillis());
        }
    }

    @Override
    public long upload(InetSocketAddress sink, long bytes) throws Exception {
        return run(sink, new Op() {
            long left = bytes;

            @Override
            public void sessionOpened(IoSession s) {
                t0 = System.nanoTime();
                s.write(IoBuffer.wrap(Client.header(bytes)));
                fill(s);
            }

            @Override
            public void messageSent(IoSession s, Object m) {
                fill(s);
            }

            private void fill(IoSession s) {
                while (left > 0 && s.getScheduledWriteBytes() < HIGH_WATER) {
                    int n = (int) Math.min(CHUNK, left);
                    s.write(IoBuffer.wrap(chunk, 0, n));
                    left -= n;
                }
            }

            @Override
            public void messageReceived(IoSession s, Object m) {
                done.complete(System.nanoTime() - t0);
            }
        });
    }

    @Override
    public long download(InetSocketAddress source, long bytes) throws Exception {
        return run(source, new Op() {
            long left = bytes;

            @Override
            public void sessionOpened(IoSession s) {
                t0 = System.nanoTime();
                s.write(IoBuffer.wrap(Client.header(bytes)));
            }

            @Override
            public void messageReceived(IoSession s, Object m) {
                left -= ((IoBuffer) m).remaining();
                if (left <= 0) {
                    done.complete(System.nanoTime() - t0);
                }
            }
        });
    }

    @Override
    public long[] echo(InetSocketAddress echo, int count) throws Exception {
        long[] rtt = new long[count];
        byte[] msg = new byte[ECHO_SIZE];
        run(echo, new Op() {
            int i;
            int got;

            @Override
            public void sessionOpened(IoSession s) {
                t0 = System.nanoTime();
                s.write(IoBuffer.wrap(msg));
            }

            @Override
            public void messageReceived(IoSession s, Object m) {
                got += ((IoBuffer) m).remaining();
                while (got >= ECHO_SIZE) {
                    got -= ECHO_SIZE;
                    rtt[i++] = System.nanoTime() - t0;
                    if (i == count) {
                        done.complete(0L);
                        return;
                    }
                    t0 = System.nanoTime();
                    s.write(IoBuffer.wrap(msg));
                }
            }
        });
        return rtt;
    }

    @Override
    public Idle openIdle(InetSocketAddress echo, int count) throws Exception {
        IoHandler idle = new IoHandlerAdapter();
        List<IoSession> sessions = new ArrayList<>(count);
        Idle result = new Idle() {
            @Override
            public int count() {
                return sessions.size();
            }

            @Override
            public void close() throws Exception {
                List<CloseFuture> closing = new ArrayList<>();
                for (IoSession s : sessions) {
                    closing.add(s.closeNow());
                }
                for (CloseFuture f : closing) {
                    f.await(TIMEOUT.toMillis());
                }
                sessions.clear();
            }
        };
        try {
            int batch = 256;
            for (int i = 0; i < count; i += batch) {
                List<ConnectFuture> pending = new ArrayList<>();
                for (int j = i; j < Math.min(count, i + batch); j++) {
                    pending.add(connector.connect(echo, (s, f) -> s.setAttribute(HANDLER, idle)));
                }
                for (ConnectFuture f : pending) {
                    if (!f.await(TIMEOUT.toMillis()) || !f.isConnected()) {
                        throw new IOException("MINA idle connect failed after " + sessions.size(), f.getException());
                    }
                    sessions.add(f.getSession());
                }
            }
        } catch (Exception e) {
            result.close();
            throw e;
        }
        return result;
    }

    @Override
    public void close() {
        connector.dispose(true);
    }
}
