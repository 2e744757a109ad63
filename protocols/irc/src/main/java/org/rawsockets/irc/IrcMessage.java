package org.rawsockets.irc;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.rawsockets.irc.internal.codec.IrcCodec;

/**
 * One IRC message: IRCv3 tags, the source (prefix), the command (upper case; a numeric reply is its
 * three digits) and the parameters, the trailing one included as the last parameter. Immutable.
 *
 * <p>{@link #parse(String)} reads a line as a server sends it (without CR LF); {@link #toString()}
 * writes it back in the same form, tag values escaped.
 */
public final class IrcMessage {

    private final Map<String, String> tags;
    private final String source;
    private final String command;
    private final List<String> params;

    /**
     * @param tags the IRCv3 tags (unescaped values; a tag without value maps to "")
     * @param source the prefix without the leading ':', or null
     * @param command the command or the three-digit numeric
     * @param params the parameters, the trailing one last
     * @throws IllegalArgumentException if the command is empty or contains a space, or a parameter
     *         contains CR, LF or NUL (which would inject a second line), or a parameter other than
     *         the last is empty, contains a space or starts with ':'
     */
    public IrcMessage(Map<String, String> tags, String source, String command, List<String> params) {
        this.tags = tags == null || tags.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        this.source = source;
        this.command = IrcCodec.checkCommand(command);
        this.params = IrcCodec.checkParams(params);
    }

    /** A message without tags and source, as a client sends it: {@code of("PRIVMSG", "#c", "hi there")}. */
    public static IrcMessage of(String command, String... params) {
        return new IrcMessage(null, null, command, List.of(params));
    }

    /**
     * Parses one line (without CR LF) with the default limits (512 bytes for the message, 8191 for
     * the tags).
     *
     * @throws IrcProtocolException if the line is malformed or over the limits
     */
    public static IrcMessage parse(String line) throws IrcProtocolException {
        return IrcCodec.parseLine(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), IrcCodec.DEFAULT_LINE_LENGTH,
                "a parsed line");
    }

    /** A copy of this message with these tags instead. */
    public IrcMessage withTags(Map<String, String> newTags) {
        return new IrcMessage(newTags, source, command, params);
    }

    public Map<String, String> tags() {
        return tags;
    }

    /** The value of a tag ("" for a tag without value), if present. */
    public Optional<String> tag(String name) {
        return Optional.ofNullable(tags.get(name));
    }

    /** The prefix without the leading ':' ({@code nick!user@host} or a server name), or null. */
    public String source() {
        return source;
    }

    /** The nickname part of the source (the whole source for a server), or null without a source. */
    public String nick() {
        if (source == null) {
            return null;
        }
        int bang = source.indexOf('!');
        int at = source.indexOf('@');
        int end = bang >= 0 ? bang : at >= 0 ? at : source.length();
        return source.substring(0, end);
    }

    /** The user (ident) part of the source, or null. */
    public String user() {
        if (source == null) {
            return null;
        }
        int bang = source.indexOf('!');
        if (bang < 0) {
            return null;
        }
        int at = source.indexOf('@', bang);
        return source.substring(bang + 1, at < 0 ? source.length() : at);
    }

    /** The host part of the source, or null. */
    public String host() {
        if (source == null) {
            return null;
        }
        int at = source.indexOf('@');
        return at < 0 ? null : source.substring(at + 1);
    }

    public String command() {
        return command;
    }

    /** Whether the command is a three-digit numeric reply. */
    public boolean isNumeric() {
        return command.length() == 3 && Character.isDigit(command.charAt(0)) && Character.isDigit(command.charAt(1))
                && Character.isDigit(command.charAt(2));
    }

    /** The numeric reply code, or -1 for a command. */
    public int numeric() {
        return isNumeric() ? Integer.parseInt(command) : -1;
    }

    public List<String> params() {
        return params;
    }

    /** Parameter {@code i}, or "" if there are not that many. */
    public String param(int i) {
        return i < params.size() ? params.get(i) : "";
    }

    /** The last parameter (the message text of a PRIVMSG, NOTICE...), or "" without parameters. */
    public String trailing() {
        return params.isEmpty() ? "" : params.get(params.size() - 1);
    }

    /** The server-time tag as an instant, if present and valid. */
    public Optional<Instant> serverTime() {
        String t = tags.get("time");
        if (t == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(t));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The account-tag (the sender's services account), if present. */
    public Optional<String> account() {
        return tag("account");
    }

    /** The line as sent on the wire, without CR LF (tag values escaped). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(64);
        if (!tags.isEmpty()) {
            b.append('@');
            boolean first = true;
            for (Map.Entry<String, String> e : tags.entrySet()) {
                if (!first) {
                    b.append(';');
                }
                first = false;
                b.append(e.getKey());
                if (!e.getValue().isEmpty()) {
                    b.append('=');
                    IrcCodec.escapeTagValue(e.getValue(), b);
                }
            }
            b.append(' ');
        }
        if (source != null) {
            b.append(':').append(source).append(' ');
        }
        b.append(command);
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            b.append(' ');
            if (i == params.size() - 1 && (p.isEmpty() || p.indexOf(' ') >= 0 || p.charAt(0) == ':')) {
                b.append(':');
            }
            b.append(p);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IrcMessage m && tags.equals(m.tags) && Objects.equals(source, m.source)
                && command.equals(m.command) && params.equals(m.params);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tags, source, command, params);
    }
}
