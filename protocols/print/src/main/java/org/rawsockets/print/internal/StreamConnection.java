package org.rawsockets.print.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rawsockets.print.IppProtocolException;
import org.rawsockets.print.PrintConnectionException;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.PrintTimeoutException;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.FrameTooLongException;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TimedOutException;

/**
 * One blocking TCP connection for the line protocols (LPD, raw 9100 with PJL): writes that wait for
 * the socket to take them (backpressure, bounded by the timeout), framed reads through
 * {@link FrameReader} with the timeout, typed failures naming the printer. Call from a worker thread.
 */
public final class StreamConnection implements AutoCloseable {

    private final PrinterSettings s;
    private final TcpSocket socket;
    private final FrameReader frames;

    private StreamConnection(PrinterSettings s, TcpSocket socket) {
        this.s = s;
        this.socket = socket;
        this.frames = new FrameReader(socket.readable(), 64 * 1024, s.timeout());
    }

    public static StreamConnection open(SocketService sockets, PrinterSettings s) throws PrintException {
        return open(sockets, s, 0, 0);
    }

    /**
     * A connection whose local end binds a free port of {@code localPortFirst..localPortLast} (0, 0:
     * an ephemeral port), as LPD's reserved source ports.
     */
    public static StreamConnection open(SocketService sockets, PrinterSettings s, int localPortFirst, int localPortLast)
            throws PrintException {
        TcpSocket sock = sockets.openTcp(s.uri().host(), s.uri().port(), TcpSocketOptions.builder().noDelay(true)
                .connectTimeout(s.connectTimeout()).localPorts(localPortFirst, localPortLast).build());
        StreamConnection c = new StreamConnection(s, sock);
        try {
            c.await(sock.opened(), s.connectTimeout().plusSeconds(5), "accept the connection");
        } catch (PrintException e) {
            c.close();
            throw e;
        }
        return c;
    }

    public void write(byte[] b, String what) throws PrintException {
        await(socket.writable().write(ByteBuffer.wrap(b)), s.timeout(), "take " + what);
    }

    /**
     * Streams {@code in}: each chunk is read into a new buffer (the socket takes ownership of what it
     * is given) while the previous one is being written; each chunk must be taken within the
     * timeout. Memory: the socket's high-water mark plus two chunks.
     *
     * @return the bytes sent
     */
    public long stream(InputStream in, long offset, org.rawsockets.print.ProgressListener progress, long total)
            throws PrintException {
        long sent = 0;
        CompletionStage<Void> pending = null;
        while (true) {
            byte[] b = new byte[s.chunkSize()];
            int n;
            try {
                n = in.readNBytes(b, 0, b.length);
            } catch (IOException e) {
                throw new PrintException("reading the document to send to printer " + s.label() + " failed: " + e, e);
            }
            if (pending != null) {
                await(pending, s.timeout(), "take the document (" + (offset + sent - lastSize) + " bytes taken)");
                if (progress != null) {
                    progress.progress(offset + sent, total);
                }
            }
            if (n == 0) {
                return sent;
            }
            pending = socket.writable().write(ByteBuffer.wrap(b, 0, n));
            lastSize = n;
            sent += n;
        }
    }

    private int lastSize;

    /** The bytes up to {@code delimiter} (not included); null at the end of the stream. */
    public byte[] readUntil(byte[] delimiter, int max, String what) throws PrintException {
        ReadResult<byte[]> r = await(frames.readUntil(delimiter, max), s.timeout().plusSeconds(5), "send " + what);
        return r.done() ? null : r.value();
    }

    /** Exactly n bytes; null at the end of the stream. */
    public byte[] readExactly(int n, String what) throws PrintException {
        ReadResult<byte[]> r = await(frames.readExactly(n), s.timeout().plusSeconds(5), "send " + what);
        return r.done() ? null : r.value();
    }

    /** Everything until the peer closes, at most {@code max} bytes (more is an error). */
    public byte[] readToEnd(int max, String what) throws PrintException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (true) {
            int want = Math.max(1, Math.min(frames.buffered(), 16 * 1024));
            byte[] b;
            try {
                b = readExactly(want, what);
            } catch (PrintConnectionException e) {
                if (e.getCause() instanceof NetworkException ne && ne.reason() == NetworkException.Reason.CLOSED_BY_PEER) {
                    return out.toByteArray();
                }
                throw e;
            }
            if (b == null) {
                return out.toByteArray();
            }
            if (out.size() + b.length > max) {
                throw new IppProtocolException("printer " + s.label() + " sent more than " + max + " bytes of " + what);
            }
            out.writeBytes(b);
        }
    }

    private <T> T await(CompletionStage<T> stage, Duration limit, String what) throws PrintException {
        try {
            return stage.toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            failed = true;
            close();
            throw new PrintTimeoutException("printer " + s.label() + " did not " + what + " within " + limit.toMillis()
                    + " ms; connection closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = true;
            close();
            throw new PrintException("interrupted while waiting for printer " + s.label() + " to " + what);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            failed = true;
            close();
            if (c instanceof TimedOutException) {
                throw new PrintTimeoutException("printer " + s.label() + " did not " + what + " within "
                        + s.timeout().toMillis() + " ms; connection closed", c);
            }
            if (c instanceof FrameTooLongException) {
                throw new IppProtocolException("printer " + s.label() + " sent an over-long line while it should " + what, c);
            }
            if (c instanceof NetworkException ne) {
                throw new PrintConnectionException("printer " + s.label() + ": the connection failed (" + ne.reason()
                        + ") while waiting to " + what + ": " + ne.getMessage(), ne);
            }
            throw new PrintConnectionException("printer " + s.label() + ": " + what + " failed: " + c, c);
        }
    }

    private volatile boolean failed;

    /**
     * Closes. After a failure (a time limit passed, the connection broke) the connection is dropped at
     * once (reset), without waiting: the job has failed, so what is still queued must not reach the
     * printer later, and a close would wait for a printer that takes nothing, up to the socket's close
     * timeout (30 s), holding the socket and the queued document.
     */
    @Override
    public void close() {
        if (failed) {
            socket.writable().abort(new PrintException("the print job to printer " + s.label() + " failed"));
            return;
        }
        try {
            socket.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closing is best effort and bounded; the socket service aborts it
        }
    }
}
