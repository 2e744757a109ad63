package org.rawsockets.irc.internal.codec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcProtocolException;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.FrameTooLongException;
import org.rawsockets.socket.ReadResult;
import org.rawsockets.socket.TcpReadable;

/**
 * Reads IRC messages from a socket: lines up to LF (CR LF, or a bare LF from a broken server) through
 * the socket API's {@link FrameReader} (its bounded buffer is all that accumulates), parsed by
 * {@link IrcCodec}. Blank lines are skipped. One {@link #next()} pending at a time.
 */
public final class IrcLineReader {

    private static final byte[] LF = {'\n'};

    private final FrameReader frames;
    private final String where;
    private volatile int lineLength = IrcCodec.DEFAULT_LINE_LENGTH;

    /** @param where names the server for messages */
    public IrcLineReader(TcpReadable source, String where) {
        this.frames = new FrameReader(source, IrcCodec.MAX_TAGS + IrcCodec.MAX_LINE_LENGTH + 2);
        this.where = where;
    }

    /** Applies the server's LINELEN (ISUPPORT), within 512..{@value IrcCodec#MAX_LINE_LENGTH}. */
    public void lineLength(int length) {
        this.lineLength = Math.max(IrcCodec.DEFAULT_LINE_LENGTH, Math.min(IrcCodec.MAX_LINE_LENGTH, length));
    }

    public int lineLength() {
        return lineLength;
    }

    /**
     * The next message, or {@link ReadResult#end()} when the server closed the connection between
     * two lines. Fails with {@link IrcProtocolException} for a line over the limits or malformed
     * (after which the connection should be closed), or with the socket's exception.
     */
    public CompletionStage<ReadResult<IrcMessage>> next() {
        CompletableFuture<ReadResult<IrcMessage>> out = new CompletableFuture<>();
        step(out);
        return out;
    }

    private void step(CompletableFuture<ReadResult<IrcMessage>> out) {
        while (true) {
            CompletableFuture<ReadResult<byte[]>> f;
            try {
                // The tags, a space, the message and CR: anything longer fails the FrameReader.
                f = frames.readUntil(LF, IrcCodec.MAX_TAGS + lineLength).toCompletableFuture();
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
                return;
            }
            if (!f.isDone()) {
                f.whenComplete((r, t) -> {
                    if (handle(out, r, t)) {
                        step(out);
                    }
                });
                return;
            }
            ReadResult<byte[]> r = null;
            Throwable t = null;
            try {
                r = f.join();
            } catch (CompletionException e) {
                t = e.getCause();
            } catch (RuntimeException e) {
                t = e;
            }
            if (!handle(out, r, t)) {
                return;
            }
        }
    }

    /** Completes {@code out} and returns false, or returns true for a blank line (read on). */
    private boolean handle(CompletableFuture<ReadResult<IrcMessage>> out, ReadResult<byte[]> r, Throwable t) {
        if (t != null) {
            Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            if (c instanceof FrameTooLongException) {
                out.completeExceptionally(new IrcProtocolException(where + " sent a line without LF within "
                        + (IrcCodec.MAX_TAGS + lineLength) + " bytes (" + IrcCodec.MAX_TAGS + " bytes of tags + "
                        + lineLength + " of message): over the IRC line limits; connection closed", c));
            } else {
                out.completeExceptionally(c);
            }
            return false;
        }
        if (r.done()) {
            out.complete(ReadResult.end());
            return false;
        }
        try {
            IrcMessage m = IrcCodec.parseLine(r.value(), lineLength, where);
            if (m == null) {
                return true;
            }
            out.complete(ReadResult.of(m));
        } catch (IrcProtocolException e) {
            out.completeExceptionally(e);
        } catch (RuntimeException e) {
            out.completeExceptionally(new IrcProtocolException(where + " sent a line the parser could not read: " + e, e));
        }
        return false;
    }
}
