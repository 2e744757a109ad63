package org.rawsockets.socket.mina.internal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The client {@link SSLEngine} of a connection, reporting a handshake that failed in a delegated
 * task (the server's certificate is not trusted or does not match the name, a key exchange failed)
 * to the connection instead of through MINA's task runner.
 *
 * <p>An unwrap that leaves the engine needing its delegated tasks (checking the server's
 * certificate, the key exchange) runs them at once on the same thread (the connection's I/O thread,
 * as Netty's SslHandler does by default) and reports the status after them, so MINA does not hand
 * them to its own pool and back: two thread hand-overs per task, ~10-15 % of a full TLS 1.3
 * handshake on loopback. (Tasks the engine still asks for elsewhere go to MINA's pool as before.)
 *
 * <p>After a delegated task MINA wraps; when that wrap throws, MINA logs the exception at ERROR
 * with its stack trace, keeps it as a pending error, and the session learns of it only at its next
 * event (usually the peer closing the connection after the alert). Here that one wrap (the first
 * after a task, on the thread that ran it) catches the
 * exception, hands it to {@code onTaskFailure} (which fails the connection with a typed error and
 * logs one line), and returns the fatal alert the engine queued, so MINA still sends it to the peer.
 * Every other call is delegated unchanged, and everything else the engine throws reaches MINA as
 * before (it fires it to the session's handler without logging).
 *
 * <p>{@code beforeHandshake} (if any) runs once, when MINA begins the handshake: its TLS filter is
 * in the chain and its TLS handler in place by then, and the ClientHello not yet produced.
 */
final class ReportingSslEngine extends SSLEngine {

    private static final ByteBuffer[] NO_DATA = { ByteBuffer.allocate(0) };
    /** The most plaintext a TLS record carries (RFC 8446 5.1, RFC 5246 6.2.1). */
    private static final int MAX_FRAGMENT = 16_384;
    private static final ThreadLocal<ByteBuffer> ASIDE = new ThreadLocal<>();

    private final SSLEngine engine;
    private final Consumer<SSLException> onTaskFailure;
    private Runnable beforeHandshake; // guarded by this
    /** The thread that has just run one of this engine's delegated tasks and not wrapped since. */
    private volatile Thread afterTask;
    private volatile SSLException taskFailure;
    /** A record that failed after good ones in one unwrap: thrown by the next (MINA unwraps under its handler's lock). */
    private SSLException unwrapFailure;

    ReportingSslEngine(SSLEngine engine, Consumer<SSLException> onTaskFailure, Runnable beforeHandshake) {
        super(engine.getPeerHost(), engine.getPeerPort());
        this.engine = engine;
        this.onTaskFailure = onTaskFailure;
        this.beforeHandshake = beforeHandshake;
    }

    /** The handshake failure a delegated task produced, or null. */
    SSLException taskFailure() {
        return taskFailure;
    }

    @Override
    public Runnable getDelegatedTask() {
        Runnable task = engine.getDelegatedTask();
        if (task == null) {
            return null;
        }
        return () -> {
            try {
                task.run();
            } finally {
                afterTask = Thread.currentThread();
            }
        };
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        boolean firstAfterTask = afterTask == Thread.currentThread();
        if (firstAfterTask) {
            afterTask = null;
        }
        if (!firstAfterTask) {
            return wrapRecords(srcs, offset, length, dst);
        }
        try {
            return engine.wrap(srcs, offset, length, dst);
        } catch (SSLException e) {
            if (taskFailure == null) {
                taskFailure = e;
            }
            onTaskFailure.accept(e);
            // The engine is closed now, with its fatal alert queued: hand that to MINA to send.
            try {
                SSLEngineResult alert = engine.wrap(NO_DATA, 0, 1, dst);
                return new SSLEngineResult(SSLEngineResult.Status.CLOSED,
                        SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING, 0, alert.bytesProduced());
            } catch (SSLException | RuntimeException again) {
                return new SSLEngineResult(SSLEngineResult.Status.CLOSED,
                        SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING, 0, 0);
            }
        }
    }

    /**
     * Wraps application data into as many records as {@code dst} holds, one after the other, while
     * the engine wraps application data (no handshake, no key update, not closed); the first
     * result otherwise. MINA's TLS handler calls wrap once per buffer it allocates (room for up to
     * eight records, sized by the write) and sends each result as one write: one record per call
     * cost a zeroed buffer of that size, a write request and a system call per 16 KiB record.
     */
    private SSLEngineResult wrapRecords(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        SSLEngineResult r = engine.wrap(srcs, offset, length, dst);
        if (!applicationData(r) || !hasRemaining(srcs, offset, length)) {
            return r;
        }
        int packet = engine.getSession().getPacketBufferSize();
        int consumed = r.bytesConsumed();
        int produced = r.bytesProduced();
        while (dst.remaining() >= packet && hasRemaining(srcs, offset, length)) {
            SSLEngineResult next = engine.wrap(srcs, offset, length, dst);
            if (next.bytesConsumed() == 0 && next.bytesProduced() == 0 && next.getStatus() != SSLEngineResult.Status.CLOSED) {
                break; // no room after all: what was wrapped stands
            }
            consumed += next.bytesConsumed();
            produced += next.bytesProduced();
            r = next;
            if (!applicationData(next)) {
                break;
            }
        }
        long rest = remaining(srcs, offset, length);
        if (applicationData(r) && rest > 0 && dst.remaining() < packet && dst.remaining() >= rest + (packet - MAX_FRAGMENT)) {
            // the write's short last record: the engine asks for a whole packet of room, which MINA's
            // buffer no longer has; it surely fits in what is left (at most the plaintext plus the
            // record's largest overhead), so it is wrapped aside and copied here, not into a buffer of
            // its own (another zeroed allocation of two packets and another write)
            ByteBuffer aside = aside(packet);
            SSLEngineResult last = engine.wrap(srcs, offset, length, aside);
            aside.flip();
            if (aside.remaining() > dst.remaining()) {
                throw new SSLException("TLS record of " + aside.remaining() + " bytes for " + last.bytesConsumed()
                        + " bytes of data exceeds the bound of " + (packet - MAX_FRAGMENT) + " bytes of overhead");
            }
            dst.put(aside);
            consumed += last.bytesConsumed();
            produced += last.bytesProduced();
            r = last;
        }
        return new SSLEngineResult(r.getStatus(), r.getHandshakeStatus(), consumed, produced);
    }

    /** A thread's buffer for a record wrapped aside ({@link #wrapRecords}): one packet, kept per thread. */
    private static ByteBuffer aside(int packet) {
        ByteBuffer b = ASIDE.get();
        if (b == null || b.capacity() < packet) {
            b = ByteBuffer.allocate(packet);
            ASIDE.set(b);
        }
        return b.clear();
    }

    /**
     * Unwraps as many whole records of {@code src} as {@code dsts} hold while they carry
     * application data (see {@link #wrapRecords}: MINA's TLS handler allocates a buffer for the
     * records of the whole read it was given, and forwards each unwrap's result on its own); a
     * record left incomplete stays in {@code src} for MINA to keep until more arrives.
     */
    private SSLEngineResult unwrapRecords(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        SSLEngineResult r = engine.unwrap(src, dsts, offset, length);
        if (!applicationData(r) || !src.hasRemaining()) {
            return r;
        }
        int consumed = r.bytesConsumed();
        int produced = r.bytesProduced();
        while (src.hasRemaining()) {
            SSLEngineResult next;
            try {
                next = engine.unwrap(src, dsts, offset, length);
            } catch (SSLException e) {
                if (!src.hasRemaining()) {
                    throw e;
                }
                // a bad record after good ones: the good ones go up first, and the failure with the
                // next call, which MINA makes at once for the bytes left (as it did a record per call)
                unwrapFailure = e;
                break;
            }
            if (next.bytesConsumed() == 0 && next.bytesProduced() == 0 && next.getStatus() != SSLEngineResult.Status.CLOSED) {
                break; // an incomplete record, or no room for the next: what was unwrapped stands
            }
            consumed += next.bytesConsumed();
            produced += next.bytesProduced();
            r = next;
            if (!applicationData(next)) {
                break;
            }
        }
        return new SSLEngineResult(r.getStatus(), r.getHandshakeStatus(), consumed, produced);
    }

    /** A result that moved application data with nothing else for the caller to do. */
    private static boolean applicationData(SSLEngineResult r) {
        return r.getStatus() == SSLEngineResult.Status.OK
                && r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                && r.bytesConsumed() > 0 && r.bytesProduced() > 0;
    }

    private static long remaining(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
        }
        return n;
    }

    private static boolean hasRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        SSLException failed = unwrapFailure;
        if (failed != null) {
            unwrapFailure = null;
            throw failed;
        }
        SSLEngineResult r = unwrapRecords(src, dsts, offset, length);
        if (r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_TASK) {
            return r;
        }
        runTasksHere();
        return new SSLEngineResult(r.getStatus(), engine.getHandshakeStatus(), r.bytesConsumed(), r.bytesProduced());
    }

    /** Runs the engine's delegated tasks on this thread; the next wrap here reports their failure. */
    private void runTasksHere() {
        Runnable task;
        while ((task = getDelegatedTask()) != null) {
            task.run();
        }
    }

    @Override
    public void beginHandshake() throws SSLException {
        Runnable r;
        synchronized (this) {
            r = beforeHandshake;
            beforeHandshake = null;
        }
        if (r != null) {
            r.run();
        }
        engine.beginHandshake();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
        return engine.getHandshakeStatus();
    }

    @Override
    public void closeInbound() throws SSLException {
        engine.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
        return engine.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        engine.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
        return engine.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return engine.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return engine.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        engine.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return engine.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return engine.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        engine.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
        return engine.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return engine.getHandshakeSession();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        engine.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return engine.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        engine.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return engine.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        engine.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return engine.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        engine.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return engine.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return engine.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        engine.setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
        return engine.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return engine.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        engine.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return engine.getHandshakeApplicationProtocolSelector();
    }

    @Override
    public String toString() {
        return engine.toString();
    }
}
