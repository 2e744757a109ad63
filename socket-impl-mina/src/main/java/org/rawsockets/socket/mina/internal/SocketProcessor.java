package org.rawsockets.socket.mina.internal;

import java.io.IOException;
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
 * <p>A session it cannot register with its selector is reported to the session's service
 * ({@link ProcessorPool.InitFailureListener}): MINA destroys such a session without any event.
 */
class SocketProcessor extends NioProcessor {

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
        try {
            return super.read(session, buf);
        } catch (IOException e) {
            if (!(session.getChannel() instanceof SocketChannel)) {
                throw e;
            }
            throw new ConnectionFailure(e);
        }
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
