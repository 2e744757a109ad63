package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * MINA's NIO processor, except for what happens when a TCP connection fails under it (the peer
 * resets it, a write hits a broken pipe). MINA logs such an ordinary failure at ERROR itself, in its
 * read and write loops, before (or instead of) telling the session's handler; the handler then has
 * nothing to do but repeat it. Here the error goes to the handler as a {@link ConnectionFailure}
 * event, and the handler ({@link TcpConnection#onException}) reports it once (a typed error to the
 * caller and the audit log's FAILED entry). UDP sessions keep MINA's own handling. Made by the
 * engine's {@link ProcessorPool}.
 *
 * <p>Received bytes of a plain connection read by copying ({@code readInto} or a blocking view, see
 * {@link TcpConnection#pooledRx}) do not take MINA's read path (a fresh heap buffer per read, handed
 * through the filter chain): they are read into this processor's pooled direct buffer and given to
 * the connection's receive side here, which copies them into a pending reader's buffer or queues
 * them ({@link ByteSource#pushBytes}). MINA is then told nothing was read (its own, now tiny, buffer
 * stays empty); the end of the stream still goes through MINA ({@code inputClosed}). The switch
 * from MINA's read to this one happens only at the start of a read of the session, never between
 * two reads of MINA's loop (bytes in MINA's buffer are delivered first: the order stays the peer's).
 * While a blocking reader reads such a connection on its own thread ({@link InPlaceReader}), this
 * processor reads nothing from it and suspends its read interest until the reader gives it back.
 *
 * <p>A session it cannot register with its selector is reported to the session's service
 * ({@link ProcessorPool.InitFailureListener}): MINA destroys such a session without any event.
 */
class SocketProcessor extends NioProcessor {

    /** MINA's own read buffer for sessions read here: it allocates one per read, left empty. */
    private static final int UNUSED_READ_BUFFER = 64;

    /** The pooled buffer the next read goes into (I/O thread only); null until the first one. */
    private ByteBuffer spare;

    SocketProcessor(Executor executor) {
        super(executor);
    }

    @Override
    protected final void init(NioSession session) throws Exception {
        try {
            register(session);
        } catch (Exception | Error e) {
            ProcessorPool.initFailed(session, e);
            throw e;
        }
    }

    /** MINA's registration of the session's channel with this processor's selector (tests fail it). */
    protected void register(NioSession session) throws Exception {
        super.init(session);
    }

    /**
     * A read error leaves as an unchecked {@link ConnectionFailure}: MINA then skips its ERROR line
     * and fires the exception to the handler, which closes the session.
     */
    @Override
    protected int read(NioSession session, IoBuffer buf) throws Exception {
        if (session.getChannel() instanceof SocketChannel ch
                && session.getAttribute(TcpConnection.SESSION_KEY) instanceof TcpConnection c) {
            TcpRx rx = c.pooledRx();
            if (rx != null) {
                if (buf.position() > 0) {
                    // MINA reads a session in a loop into one buffer and delivers it after the loop:
                    // the reader switched to a copying style after this loop's first read, so the
                    // bytes MINA holds must reach the stream before any read here; the next
                    // readiness reads pooled
                    return 0;
                }
                return readPooled(session, ch, c, rx);
            }
        }
        try {
            return super.read(session, buf);
        } catch (IOException e) {
            if (!(session.getChannel() instanceof SocketChannel)) {
                throw e;
            }
            throw new ConnectionFailure(e);
        }
    }

    /** Reads into {@link #spare} and hands the bytes to {@code rx}; 0 (to MINA) after bytes, -1 at the end. */
    private int readPooled(NioSession session, SocketChannel ch, TcpConnection c, TcpRx rx) {
        InPlaceReader inPlace = rx.inPlace();
        if (inPlace != null && !inPlace.ioBegin(session)) {
            return 0; // the blocking reader reads the channel itself now
        }
        ByteBuffer b = spare;
        if (b == null) {
            b = c.engine.chunks().take();
            spare = b;
        }
        int capacity = b.remaining();
        int n = 0;
        try {
            try {
                n = ch.read(b);
            } catch (IOException e) {
                b.clear();
                throw new ConnectionFailure(e);
            }
            if (n <= 0) {
                b.clear();
                return n;
            }
            b.flip();
            if (rx.received(b) == ByteSource.TAKEN) {
                spare = null;
            } else {
                b.clear();
            }
        } finally {
            if (inPlace != null) {
                inPlace.ioEnd(n, capacity);
            }
        }
        if (session.getConfig().getReadBufferSize() != UNUSED_READ_BUFFER) {
            session.getConfig().setReadBufferSize(UNUSED_READ_BUFFER);
        }
        return 0;
    }

    /**
     * A write error is fired to the handler here (MINA would log it and close the session without
     * telling the handler why), the session is closed, and MINA is told nothing was written.
     */
    @Override
    protected int write(NioSession session, IoBuffer buf, int length) throws IOException {
        try {
            return super.write(session, buf, length);
        } catch (IOException e) {
            if (!(session.getChannel() instanceof SocketChannel)) {
                throw e;
            }
            session.getFilterChain().fireExceptionCaught(new ConnectionFailure(e));
            session.closeNow();
            return 0;
        }
    }

    /** An I/O error of a TCP connection, carried to the session's handler; the cause is the OS error. */
    static final class ConnectionFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConnectionFailure(IOException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
