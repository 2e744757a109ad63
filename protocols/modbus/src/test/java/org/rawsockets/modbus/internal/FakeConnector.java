package org.rawsockets.modbus.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An in-memory transport: the test sees what the client sends and plays the device's answers. */
final class FakeConnector implements Link.Connector {

    final boolean datagram;
    final List<FakeLink> links = new ArrayList<>();
    final LinkedBlockingQueue<CompletableFuture<Link>> pendingConnects = new LinkedBlockingQueue<>();
    volatile boolean autoConnect = true;

    FakeConnector(boolean datagram) {
        this.datagram = datagram;
    }

    @Override
    public synchronized CompletionStage<Link> connect(Link.Listener listener) {
        FakeLink l = new FakeLink(listener);
        links.add(l);
        if (autoConnect) {
            return CompletableFuture.completedFuture(l);
        }
        CompletableFuture<Link> f = new CompletableFuture<>();
        pendingConnects.add(f);
        return f;
    }

    synchronized FakeLink last() {
        return links.get(links.size() - 1);
    }

    synchronized int connects() {
        return links.size();
    }

    @Override
    public String target() {
        return "fake";
    }

    final class FakeLink implements Link {
        final Link.Listener listener;
        final LinkedBlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
        volatile boolean closed;

        FakeLink(Link.Listener listener) {
            this.listener = listener;
        }

        @Override
        public void send(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            sent.add(b);
        }

        @Override
        public boolean datagram() {
            return datagram;
        }

        @Override
        public void close() {
            closed = true;
        }

        /** The next ADU the client sent, waiting up to 10 s. */
        byte[] next() throws InterruptedException {
            byte[] b = sent.poll(10, TimeUnit.SECONDS);
            if (b == null) {
                throw new AssertionError("the client sent nothing within 10 s");
            }
            return b;
        }

        void reply(byte[] bytes) {
            listener.received(this, ByteBuffer.wrap(bytes));
        }
    }
}
