package org.rawsockets.smtp.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.rawsockets.smtp.EnhancedStatusCode;
import org.rawsockets.smtp.SmtpProtocolException;
import org.rawsockets.smtp.SmtpReply;

/**
 * Decodes SMTP replies (RFC 5321 4.2) from a byte stream that arrives in arbitrary pieces.
 *
 * <p>Two explicit state machines: the <em>framer</em> ({@link Scan}) finds CRLF-terminated lines
 * and copies each into a bounded line buffer; only a complete line is handed to the <em>line
 * parser</em> ({@link Phase}), which checks the grammar
 *
 * <pre>
 * Reply = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
 * Reply-code = %x32-35 %x30-35 %x30-39
 * </pre>
 *
 * and groups lines into replies (every line of a multi-line reply must carry the same code). A line
 * longer than {@code maxLineLength}, a reply with more than {@code maxLines} lines, a bare CR or LF,
 * a bad code or separator, or a control character in the text is an {@link SmtpProtocolException};
 * after one, the decoder stays failed. Text is decoded as UTF-8 (RFC 6531 servers may send it).
 */
public final class ReplyDecoder {

    /** Framer state: where we are within the current line. */
    private enum Scan {
        /** Collecting line bytes. */
        IN_LINE,
        /** Saw CR; the next byte must be LF. */
        AFTER_CR,
        /** A protocol error happened; nothing more is decoded. */
        FAILED
    }

    /** Parser state: where we are within the current reply. */
    private enum Phase {
        /** Expecting the first line of a reply. */
        FIRST_LINE,
        /** Inside a multi-line reply: expecting a continuation or the last line with {@link #code}. */
        CONTINUATION
    }

    private final int maxLineLength;
    private final int maxLines;
    private final String peer;
    private final byte[] line;
    private int lineLength;
    private Scan scan = Scan.IN_LINE;
    private Phase phase = Phase.FIRST_LINE;
    private int code;
    private final List<String> lines = new ArrayList<>();
    private SmtpProtocolException failure;

    /**
     * @param maxLineLength longest line accepted, without CRLF
     * @param maxLines most lines in one reply
     * @param peer the server, for messages
     */
    public ReplyDecoder(int maxLineLength, int maxLines, String peer) {
        if (maxLineLength < 3 || maxLines < 1) {
            throw new IllegalArgumentException("maxLineLength must be >= 3 and maxLines >= 1");
        }
        this.maxLineLength = maxLineLength;
        this.maxLines = maxLines;
        this.peer = peer;
        this.line = new byte[maxLineLength];
    }

    /**
     * Consumes bytes from {@code in} until one reply is complete or {@code in} is empty. Bytes after
     * a complete reply stay in {@code in} (pipelined replies).
     *
     * @return the complete reply, or {@code null} when more bytes are needed
     * @throws SmtpProtocolException when the bytes break the grammar or a limit
     */
    public SmtpReply decode(ByteBuffer in) throws SmtpProtocolException {
        if (scan == Scan.FAILED) {
            throw failure;
        }
        while (in.hasRemaining()) {
            byte b = in.get();
            if (scan == Scan.IN_LINE) {
                if (b == '\r') {
                    scan = Scan.AFTER_CR;
                } else if (b == '\n') {
                    throw fail("a reply line ended with a bare LF (RFC 5321 requires CRLF)");
                } else if (lineLength == maxLineLength) {
                    throw fail("a reply line is longer than " + maxLineLength + " bytes");
                } else {
                    line[lineLength++] = b;
                }
            } else { // AFTER_CR
                if (b != '\n') {
                    throw fail("a reply line contains a bare CR (RFC 5321 requires CRLF)");
                }
                scan = Scan.IN_LINE;
                SmtpReply reply = lineComplete();
                if (reply != null) {
                    return reply;
                }
            }
        }
        return null;
    }

    /** Whether a reply has begun but is not complete (bytes or lines buffered). */
    public boolean isMidReply() {
        return lineLength > 0 || scan == Scan.AFTER_CR || phase == Phase.CONTINUATION;
    }

    private SmtpReply lineComplete() throws SmtpProtocolException {
        int n = lineLength;
        lineLength = 0;
        if (n < 3) {
            throw fail("a reply line is shorter than a reply code: '" + printable(0, n) + "'");
        }
        int d1 = line[0] - '0';
        int d2 = line[1] - '0';
        int d3 = line[2] - '0';
        if (d1 < 2 || d1 > 5 || d2 < 0 || d2 > 5 || d3 < 0 || d3 > 9) {
            throw fail("a reply line does not start with a reply code (2xx..5xx): '" + printable(0, n) + "'");
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
            throw fail("the reply code is followed by '" + printable(3, 4) + "' instead of a space or '-': '"
                    + printable(0, n) + "'");
        }
        for (int i = 4; i < n; i++) {
            int c = line[i] & 0xff;
            if ((c < 32 && c != '\t') || c == 127) {
                throw fail("a reply line contains control character 0x" + Integer.toHexString(c) + ": '"
                        + printable(0, n) + "'");
            }
        }
        if (phase == Phase.CONTINUATION && lineCode != code) {
            throw fail("a multi-line reply changes its code from " + code + " to " + lineCode);
        }
        if (lines.size() == maxLines) {
            throw fail("a reply has more than " + maxLines + " lines");
        }
        code = lineCode;
        lines.add(n > 4 ? new String(line, 4, n - 4, StandardCharsets.UTF_8) : "");
        if (!last) {
            phase = Phase.CONTINUATION;
            return null;
        }
        EnhancedStatusCode esc = EnhancedStatusCode.parseAtStart(lines.get(0));
        if (esc != null && esc.statusClass() != d1) {
            esc = null;
        }
        SmtpReply reply = new SmtpReply(code, esc, lines);
        lines.clear();
        phase = Phase.FIRST_LINE;
        return reply;
    }

    private SmtpProtocolException fail(String why) {
        scan = Scan.FAILED;
        failure = new SmtpProtocolException("SMTP server " + peer + " broke the reply grammar: " + why);
        return failure;
    }

    private String printable(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to && sb.length() < 80; i++) {
            int c = line[i] & 0xff;
            sb.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
