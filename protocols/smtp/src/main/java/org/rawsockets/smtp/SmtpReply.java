package org.rawsockets.smtp;

import java.util.List;
import java.util.Objects;

/**
 * One complete SMTP reply (possibly multi-line).
 *
 * @param code the three-digit reply code, 200..559
 * @param enhancedStatus the RFC 3463 code at the start of the first line's text, {@code null} when
 *            there is none (or its class does not match the reply code's first digit)
 * @param lines the text of each line after the code and separator, in order (at least one; an
 *            empty string for a line that is just the code)
 */
public record SmtpReply(int code, EnhancedStatusCode enhancedStatus, List<String> lines) {

    public SmtpReply {
        if (code < 200 || code > 559) {
            throw new IllegalArgumentException("reply code must be 200..559, was " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
    }

    /** A one-line reply; the enhanced status code is parsed from {@code text}. */
    public static SmtpReply of(int code, String text) {
        Objects.requireNonNull(text, "text");
        EnhancedStatusCode esc = EnhancedStatusCode.parseAtStart(text);
        if (esc != null && esc.statusClass() != code / 100) {
            esc = null;
        }
        return new SmtpReply(code, esc, List.of(text));
    }

    /** 2xx: the command succeeded. */
    public boolean isPositive() {
        return code / 100 == 2;
    }

    /** 3xx: send more (354 after DATA, 334 during AUTH). */
    public boolean isIntermediate() {
        return code / 100 == 3;
    }

    /** 4xx: failed for now, may succeed later. */
    public boolean isTransientFailure() {
        return code / 100 == 4;
    }

    /** 5xx: failed, do not retry unchanged. */
    public boolean isPermanentFailure() {
        return code / 100 == 5;
    }

    /** The lines' text joined with {@code " / "}, enhanced status codes of each line removed. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            String t = line;
            if (enhancedStatus != null && t.startsWith(enhancedStatus.toString())) {
                t = t.substring(enhancedStatus.toString().length()).strip();
            }
            if (sb.length() > 0) {
                sb.append(" / ");
            }
            sb.append(t);
        }
        return sb.toString();
    }

    /** {@code 550 5.1.1 text}, on one line. */
    @Override
    public String toString() {
        return code + (enhancedStatus == null ? "" : " " + enhancedStatus) + (text().isEmpty() ? "" : " " + text());
    }
}
