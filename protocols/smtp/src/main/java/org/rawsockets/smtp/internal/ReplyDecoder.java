package org.rawsockets.smtp.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.rawsockets.smtp.EnhancedStatusCode;
import org.rawsockets.smtp.SmtpProtocolException;
import org.rawsockets.smtp.SmtpReply;
import org.rawsockets.socket.FrameReader;
import org.rawsockets.socket.FrameTooLongException;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.TcpReadable;

/**
 * Reads SMTP replies (RFC 5321 4.2) from a socket's readable side, whatever pieces its bytes arrive
 * in: lines up to LF through the socket API's {@link FrameReader} (its bounded buffer is all that
 * accumulates; pipelined replies stay in it), each checked against the grammar
 *
 * <pre>
 * Reply = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
 * Reply-code = %x32-35 %x30-35 %x30-39
 * </pre>
 *
 * and grouped into replies (every line of a multi-line reply must carry the same code). A line
 * longer than {@code maxLineLength}, a reply with more than {@code maxLines} lines, a bare CR or LF,
 * a bad code or separator, or a control character in the text is an {@link SmtpProtocolException};
 * after one, the decoder stays failed. Text is decoded as UTF-8 (RFC 6531 servers may send it).
 * One {@link #next()} pending at a time.
 */
public final class ReplyDecoder {

    private static final byte[] LF = {'\n'};

    private final FrameReader frames;
    private final int maxLineLength;
    private final int maxLines;
    private final String peer;
    /** Inside a multi-line reply: expecting a continuation or the last line with {@link #code}. */
    private boolean continuation;
    private int code;
    private final List<String> lines = new ArrayList<>();
    private SmtpProtocolException failure;

    /**
     * @param source the socket's readable side (read only through this decoder from now on)
     * @param maxLineLength longest line accepted, without CRLF
     * @param maxLines most lines in one reply
     * @param peer the server, for messages
     */
    public ReplyDecoder(TcpReadable source, int maxLineLength, int maxLines, String peer) {
        if (maxLineLength < 3 || maxLines < 1) {
            throw new IllegalArgumentException("maxLineLength must be >= 3 and maxLines >= 1");
        }
        this.frames = new FrameReader(source, maxLineLength + 2); // the line, CR, LF
        this.maxLineLength = maxLineLength;
        this.maxLines = maxLines;
        this.peer = peer;
    }

    /**
     * The next complete reply; {@code null} when the server closed the connection before it was
     * complete. Fails with {@link SmtpProtocolException} when the bytes break the grammar or a limit,
     * or with the socket's exception.
     */
    public CompletionStage<SmtpReply> next() {
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        CompletableFuture<SmtpReply> out = new CompletableFuture<>();
        frames.readFrames(LF, maxLineLength + 1, this::lineComplete).whenComplete((reply, t) -> {
            if (t instanceof FrameTooLongException) {
                out.completeExceptionally(fail("a reply line is longer than " + maxLineLength + " bytes"));
            } else if (t instanceof NetworkException e && e.reason() == NetworkException.Reason.CLOSED_BY_PEER
                    && frames.buffered() > 0) {
                out.complete(null); // the connection ended in the middle of a line
            } else if (t != null) {
                out.completeExceptionally(t);
            } else {
                out.complete(reply); // null: the connection ended between two lines
            }
        });
        return out;
    }

    /** Whether a reply has begun but is not complete (bytes or lines received). */
    public boolean isMidReply() {
        return frames.buffered() > 0 || continuation;
    }

    /**
     * One line (the {@link FrameReader.FrameHandler}): the reply once complete, else null. The line
     * ends before the LF; its CR, if the server sent one, is the last byte.
     */
    private SmtpReply lineComplete(byte[] line) throws SmtpProtocolException {
        boolean cr = line.length > 0 && line[line.length - 1] == '\r';
        int n = cr ? line.length - 1 : line.length;
        for (int i = 0; i < Math.min(n, maxLineLength); i++) {
            if (line[i] == '\r') {
                throw fail("a reply line contains a bare CR (RFC 5321 requires CRLF)");
            }
        }
        if (n > maxLineLength) {
            throw fail("a reply line is longer than " + maxLineLength + " bytes");
        }
        if (!cr) {
            throw fail("a reply line ended with a bare LF (RFC 5321 requires CRLF)");
        }
        if (n < 3) {
            throw fail("a reply line is shorter than a reply code: '" + printable(line, 0, n) + "'");
        }
        int d1 = line[0] - '0';
        int d2 = line[1] - '0';
        int d3 = line[2] - '0';
        if (d1 < 2 || d1 > 5 || d2 < 0 || d2 > 5 || d3 < 0 || d3 > 9) {
            throw fail("a reply line does not start with a reply code (2xx..5xx): '" + printable(line, 0, n) + "'");
        }
        int lineCode = d1 * 100 + d2 * 10 + d3;
        boolean last;
        if (n == 3) {
            last = true;
        } else if (line[3] == ' ') {
            last = true;
        } else if (line[3] == '-') {
            last = false;
        } else {
            throw fail("the reply code is followed by '" + printable(line, 3, 4) + "' instead of a space or '-': '"
                    + printable(line, 0, n) + "'");
        }
        for (int i = 4; i < n; i++) {
            int c = line[i] & 0xff;
            if ((c < 32 && c != '\t') || c == 127) {
                throw fail("a reply line contains control character 0x" + Integer.toHexString(c) + ": '"
                        + printable(line, 0, n) + "'");
            }
        }
        if (continuation && lineCode != code) {
            throw fail("a multi-line reply changes its code from " + code + " to " + lineCode);
        }
        if (lines.size() == maxLines) {
            throw fail("a reply has more than " + maxLines + " lines");
        }
        code = lineCode;
        lines.add(n > 4 ? new String(line, 4, n - 4, StandardCharsets.UTF_8) : "");
        if (!last) {
            continuation = true;
            return null;
        }
        EnhancedStatusCode esc = EnhancedStatusCode.parseAtStart(lines.get(0));
        if (esc != null && esc.statusClass() != d1) {
            esc = null;
        }
        SmtpReply reply = new SmtpReply(code, esc, lines);
        lines.clear();
        continuation = false;
        return reply;
    }

    private SmtpProtocolException fail(String why) {
        failure = new SmtpProtocolException("SMTP server " + peer + " broke the reply grammar: " + why);
        return failure;
    }

    private static String printable(byte[] line, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to && sb.length() < 80; i++) {
            int c = line[i] & 0xff;
            sb.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
