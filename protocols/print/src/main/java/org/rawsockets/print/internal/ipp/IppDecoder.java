package org.rawsockets.print.internal.ipp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.IppGroup;
import org.rawsockets.print.IppMessage;
import org.rawsockets.print.IppProtocolException;
import org.rawsockets.print.IppTag;
import org.rawsockets.print.IppValue;

/**
 * Reads RFC 8010's binary encoding, transport-free and bounded: the message's attribute part may be
 * at most {@code maxBytes} long, hold at most {@code maxAttributes} attributes and values (members
 * counted) and nest collections at most {@code maxDepth} deep. Every malformed input (truncated
 * attribute, a length beyond the body, an unknown group tag, a value of the wrong size, a collection
 * that is not closed) is an {@link IppProtocolException} saying where; nothing is read beyond the
 * bytes given.
 *
 * <p>Two forms: {@link #decode(byte[], int, int)} for a whole body, and {@link #feed(ByteBuffer)}
 * for bytes that arrive in pieces (it keeps at most {@code maxBytes} and completes at the
 * end-of-attributes tag; what follows is document data and stays in the caller's buffer).
 */
public final class IppDecoder {

    /** The deepest collection nesting any decoder accepts. */
    public static final int MAX_DEPTH_LIMIT = 32;

    /** Limits of one decoder. */
    public record Limits(int maxBytes, int maxAttributes, int maxDepth) {
        public Limits {
            if (maxBytes < 9 || maxAttributes < 1 || maxDepth < 1 || maxDepth > MAX_DEPTH_LIMIT) {
                throw new IllegalArgumentException("IPP decoder limits out of range: " + maxBytes + "/" + maxAttributes
                        + "/" + maxDepth);
            }
        }

        public static Limits defaults() {
            return new Limits(4 * 1024 * 1024, 100_000, 16);
        }
    }

    /** Thrown internally when the bytes end before the message does. */
    private static final class NeedMore extends Exception {
        private static final long serialVersionUID = 1L;
        final String what;
        /** The length the parsed bytes must reach before this parse can go further. */
        final long needed;

        NeedMore(String what, long needed) {
            super(what, null, false, false);
            this.what = what;
            this.needed = needed;
        }
    }

    private final Limits limits;
    private final String source;
    private byte[] acc = new byte[0];
    private int accLen;
    private boolean done;
    /** {@link #feed} parses again only once the bytes reach this length (the last parse's need). */
    private long parseAt;
    /** The length the last parse of {@link #feed} saw. */
    private int parsedLength;
    /** Where {@link #feed}'s last parse got to: the next parse resumes there (not from byte 0). */
    private Checkpoint resume;
    private final Framer framer;

    /** The parse state at a tag position of the top level: all a later parse needs to go on. */
    private static final class Checkpoint {
        int pos;
        int count;
        int version;
        int code;
        int requestId;
        List<IppGroup> groups;
        IppTag group;
        List<IppAttribute> attrs;
        String name;
        List<IppValue> values;
    }

    /**
     * @param source who sent the bytes, for messages ("printer ipp://host:631/ipp/print")
     */
    public IppDecoder(Limits limits, String source) {
        this.limits = limits;
        this.source = source;
        this.framer = new Framer(limits.maxDepth());
    }

    /** Decodes a whole body; bytes after the end-of-attributes tag (document data) are ignored. */
    public static IppMessage decode(byte[] body, int offset, int length, Limits limits, String source)
            throws IppProtocolException {
        IppDecoder d = new IppDecoder(limits, source);
        Parse p = d.new Parse(body, offset, Math.min(length, limits.maxBytes()), length > limits.maxBytes());
        try {
            return p.message();
        } catch (NeedMore e) {
            if (length > limits.maxBytes()) {
                throw d.error("the attributes are longer than the limit of " + limits.maxBytes() + " bytes");
            }
            throw d.error("the message is truncated: " + e.what + " at byte " + p.pos + " of " + length);
        }
    }

    public static IppMessage decode(byte[] body, Limits limits, String source) throws IppProtocolException {
        return decode(body, 0, body.length, limits, source);
    }

    /**
     * Takes the next bytes of a message. Consumes only up to the end-of-attributes tag.
     *
     * @return the message once its attributes are complete, else {@code null}
     */
    public IppMessage feed(ByteBuffer in) throws IppProtocolException {
        if (done) {
            throw new IllegalStateException("the message is already complete");
        }
        int take = Math.min(in.remaining(), limits.maxBytes() - accLen);
        if (acc.length < accLen + take) {
            acc = java.util.Arrays.copyOf(acc, Math.min(limits.maxBytes(), Math.max(accLen + take, acc.length * 2)));
        }
        int start = in.position();
        in.get(acc, accLen, take);
        accLen += take;
        // Frame first: the framer walks the items' lengths without building anything and says when
        // the end-of-attributes tag (or a structure no parse accepts) is in. Only then, or when the
        // bytes doubled since the last parse (so a malformed value still fails early; a collection
        // is re-parsed from its start, this keeps that O(n log n)), does a parse run, resuming at the
        // last top-level tag position the previous one reached. Without the framer every piece
        // holding a byte 0x03 re-parsed the open collection (issue 21's fuzz finding: 10 MB for a
        // 3,267-byte message in pieces).
        boolean framed = framer.advance(acc, accLen);
        if (accLen < limits.maxBytes() && (accLen < parseAt || !framed && accLen < 2L * parsedLength)) {
            return null;
        }
        parsedLength = accLen;
        if (resume == null) {
            resume = new Checkpoint();
        }
        Parse p = new Parse(acc, 0, accLen, false);
        try {
            IppMessage m = p.message(resume);
            done = true;
            in.position(start + (p.pos - (accLen - take))); // leave the document data in the caller's buffer
            acc = null;
            resume = null;
            return m;
        } catch (NeedMore e) {
            if (accLen >= limits.maxBytes()) {
                throw error("the attributes are longer than the limit of " + limits.maxBytes() + " bytes");
            }
            parseAt = e.needed;
            return null;
        }
    }

    /**
     * Finds the end of the attribute part by its items' lengths alone: no object per item, each byte
     * looked at once over all calls. It does not judge values; the parse does.
     */
    private static final class Framer {
        /** Where the next item starts (0: the header is not in yet). */
        private int pos;
        /** Collections open at {@link #pos}. */
        private int depth;
        private boolean inGroup;
        private final int maxDepth;

        Framer(int maxDepth) {
            this.maxDepth = maxDepth;
        }

        /**
         * @return true once the bytes hold the end-of-attributes tag at the top level, or a structure
         *         the parse rejects (a group tag inside a collection, an end of collection outside
         *         one, a value before any group, nesting beyond the limit); false while more is needed
         */
        boolean advance(byte[] b, int len) {
            if (pos == 0) {
                if (len < 8) {
                    return false;
                }
                pos = 8;
            }
            while (pos < len) {
                int tag = b[pos] & 0xFF;
                if (tag <= 0x0F) {
                    if (depth > 0 || tag == 0x03) {
                        return true;
                    }
                    inGroup = true;
                    pos++;
                    continue;
                }
                if (!inGroup || len - pos < 3) {
                    return !inGroup;
                }
                int nameEnd = pos + 3 + (((b[pos + 1] & 0xFF) << 8) | (b[pos + 2] & 0xFF));
                if (len - nameEnd < 2) {
                    return false;
                }
                long itemEnd = nameEnd + 2L + (((b[nameEnd] & 0xFF) << 8) | (b[nameEnd + 1] & 0xFF));
                if (itemEnd > len) {
                    return false;
                }
                if (tag == 0x34 && ++depth > maxDepth || tag == 0x37 && --depth < 0) {
                    return true;
                }
                pos = (int) itemEnd;
            }
            return false;
        }
    }

    /** The bytes ended: fails when a message was started but not complete. */
    public void finish() throws IppProtocolException {
        if (!done) {
            Parse p = new Parse(acc, 0, accLen, false);
            try {
                p.message();
            } catch (NeedMore e) {
                throw error("the message is truncated: " + e.what + " at byte " + p.pos + " of " + accLen);
            }
        }
    }

    IppProtocolException error(String what) {
        return new IppProtocolException("malformed IPP message from " + source + ": " + what);
    }

    /** Where a value sits in nested collections ("media-col/media-size"), as text only for a message. */
    private record Path(Path parent, String name) {
        @Override
        public String toString() {
            return parent == null ? name : parent + "/" + name;
        }
    }

    private final class Parse {
        final byte[] b;
        final int end;
        int pos;
        int count;

        Parse(byte[] b, int offset, int length, boolean overLimit) {
            this.b = b;
            this.pos = offset;
            this.end = offset + length;
        }

        IppMessage message() throws NeedMore, IppProtocolException {
            return message(null);
        }

        /**
         * @param cp null for a parse from the start; else where a previous parse of the same bytes
         *            got to (a fresh one: pos 0), updated at every top-level tag position
         */
        IppMessage message(Checkpoint cp) throws NeedMore, IppProtocolException {
            int version;
            int code;
            int requestId;
            List<IppGroup> groups;
            IppTag group = null;
            List<IppAttribute> attrs = null;
            String name = null;
            List<IppValue> values = null;
            if (cp != null && cp.groups != null) {
                pos = cp.pos;
                count = cp.count;
                version = cp.version;
                code = cp.code;
                requestId = cp.requestId;
                groups = cp.groups;
                group = cp.group;
                attrs = cp.attrs;
                name = cp.name;
                values = cp.values;
            } else {
                need(8, "the header");
                version = u16();
                code = u16();
                requestId = s32();
                groups = new ArrayList<>();
            }
            while (true) {
                if (cp != null) { // every change to the lists below happens after the last need of an iteration
                    cp.pos = pos;
                    cp.count = count;
                    cp.version = version;
                    cp.code = code;
                    cp.requestId = requestId;
                    cp.groups = groups;
                    cp.group = group;
                    cp.attrs = attrs;
                    cp.name = name;
                    cp.values = values;
                }
                need(1, "a tag");
                int tag = b[pos++] & 0xFF;
                if (tag <= 0x0F) {
                    if (name != null) {
                        attrs.add(new IppAttribute(name, values));
                        name = null;
                    }
                    if (group != null) {
                        groups.add(new IppGroup(group, attrs));
                    }
                    if (tag == 0x03) {
                        return new IppMessage(version, code, requestId, groups);
                    }
                    IppTag t = IppTag.of(tag);
                    if (t == null) {
                        throw error("unknown group tag 0x" + Integer.toHexString(tag) + " at byte " + (pos - 1));
                    }
                    group = t;
                    attrs = new ArrayList<>();
                    continue;
                }
                if (group == null) {
                    throw error("value tag 0x" + Integer.toHexString(tag) + " before any group tag at byte " + (pos - 1));
                }
                int at = pos - 1;
                String n = string(u16len("the name length"), "the name");
                int vlen = u16len("the value length");
                if (end - pos < vlen) { // the message is built only when it is needed (issue 21: allocation)
                    throw new NeedMore("the value of " + (n.isEmpty() ? name : n) + " (" + vlen + " bytes declared, "
                            + (end - pos) + " left)", (long) pos + vlen);
                }
                if (n.isEmpty() && name == null) {
                    throw error("an additional value (empty name) without an attribute before it at byte " + at);
                }
                IppValue v;
                if (tag == 0x34) {
                    pos += vlen;
                    v = IppValue.collection(collection(1, new Path(null, n.isEmpty() ? name : n)));
                } else {
                    v = value(tag, vlen, n.isEmpty() ? name : n, at);
                }
                count();
                if (!n.isEmpty()) {
                    if (name != null) {
                        attrs.add(new IppAttribute(name, values));
                    }
                    name = n;
                    values = new ArrayList<>();
                }
                values.add(v);
            }
        }

        private List<IppAttribute> collection(int depth, Path of) throws NeedMore, IppProtocolException {
            if (depth > limits.maxDepth()) {
                throw error("collection " + of + " is nested deeper than " + limits.maxDepth());
            }
            List<IppAttribute> members = new ArrayList<>();
            String member = null;
            List<IppValue> values = null;
            while (true) {
                if (pos >= end) {
                    throw new NeedMore("a tag in collection " + of, (long) pos + 1);
                }
                int at = pos;
                int tag = b[pos++] & 0xFF;
                if (tag <= 0x0F) {
                    throw error("collection " + of + " is not closed before group tag 0x" + Integer.toHexString(tag)
                            + " at byte " + at);
                }
                int nlen = u16len("the name length");
                need(nlen, "a name");
                if (nlen != 0) {
                    throw error("a member value in collection " + of + " has a name (must be empty) at byte " + at);
                }
                int vlen = u16len("the value length");
                if (end - pos < vlen) {
                    throw new NeedMore("a value in collection " + of + " (" + vlen + " bytes declared, " + (end - pos)
                            + " left)", (long) pos + vlen);
                }
                if ((tag == 0x37 || tag == 0x4A) && member != null && values.isEmpty()) {
                    throw error("member " + member + " of collection " + of + " has no value (byte " + at + ")");
                }
                if (tag == 0x37) {
                    pos += vlen;
                    if (member != null) {
                        members.add(new IppAttribute(member, values));
                    }
                    return members;
                }
                if (tag == 0x4A) {
                    if (member != null) {
                        members.add(new IppAttribute(member, values));
                    }
                    member = string(vlen, "a member name");
                    if (member.isEmpty()) {
                        throw error("an empty member name in collection " + of + " at byte " + at);
                    }
                    values = new ArrayList<>();
                    continue;
                }
                if (member == null) {
                    throw error("a value without a member name in collection " + of + " at byte " + at);
                }
                if (tag == 0x34) {
                    pos += vlen;
                    values.add(IppValue.collection(collection(depth + 1, new Path(of, member))));
                } else {
                    values.add(value(tag, vlen, new Path(of, member), at));
                }
                count();
            }
        }

        private void count() throws IppProtocolException {
            if (++count > limits.maxAttributes()) {
                throw error("more than " + limits.maxAttributes() + " attribute values");
            }
        }

        /**
         * @param attr the attribute's name, or its {@link Path} in a collection: turned into text only
         *            for an error
         */
        private IppValue value(int tag, int len, Object attr, int at) throws IppProtocolException {
            IppTag t = IppTag.of(tag);
            int start = pos;
            pos += len;
            if (t == null) {
                byte[] raw = java.util.Arrays.copyOfRange(b, start, start + len);
                return new IppValue(IppTag.UNKNOWN_VALUE, new IppValue.Raw(tag, raw));
            }
            if (t == IppTag.END_COLLECTION || t == IppTag.MEMBER_ATTR_NAME) {
                throw error("tag " + t + " outside a collection (attribute " + attr + ", byte " + at + ")");
            }
            if (t.isOutOfBand()) {
                return IppValue.outOfBand(t);
            }
            switch (t) {
                case INTEGER, ENUM -> {
                    size(len, 4, t, attr, at);
                    return new IppValue(t, i32(start));
                }
                case BOOLEAN -> {
                    size(len, 1, t, attr, at);
                    return IppValue.bool(b[start] != 0);
                }
                case RESOLUTION -> {
                    size(len, 9, t, attr, at);
                    return new IppValue(t, new IppValue.Resolution(i32(start), i32(start + 4), b[start + 8] & 0xFF));
                }
                case RANGE_OF_INTEGER -> {
                    size(len, 8, t, attr, at);
                    return new IppValue(t, new IppValue.Range(i32(start), i32(start + 4)));
                }
                case DATE_TIME -> {
                    size(len, 11, t, attr, at);
                    try {
                        int sign = b[start + 8];
                        if (sign != '+' && sign != '-') {
                            throw new DateTimeException("direction from UTC is not + or -");
                        }
                        int off = ((b[start + 9] & 0xFF) * 60 + (b[start + 10] & 0xFF)) * 60 * (sign == '-' ? -1 : 1);
                        return new IppValue(t, OffsetDateTime.of(((b[start] & 0xFF) << 8) | (b[start + 1] & 0xFF),
                                b[start + 2], b[start + 3], b[start + 4], b[start + 5], b[start + 6],
                                (b[start + 7] & 0xFF) * 100_000_000, ZoneOffset.ofTotalSeconds(off)));
                    } catch (DateTimeException e) {
                        throw error("attribute " + attr + " has an invalid dateTime at byte " + at + ": " + e.getMessage());
                    }
                }
                case TEXT_WITH_LANGUAGE, NAME_WITH_LANGUAGE -> {
                    if (len < 4) {
                        throw error("attribute " + attr + ": a " + t + " value needs at least 4 bytes, has " + len);
                    }
                    int ll = u16at(start);
                    if (2 + ll + 2 > len) {
                        throw error("attribute " + attr + ": the language length " + ll + " goes beyond the value");
                    }
                    int tl = u16at(start + 2 + ll);
                    if (2 + ll + 2 + tl != len) {
                        throw error("attribute " + attr + ": the text length " + tl + " does not fit the value length "
                                + len);
                    }
                    return new IppValue(t, new IppValue.Localized(
                            new String(b, start + 2, ll, StandardCharsets.US_ASCII),
                            new String(b, start + 4 + ll, tl, StandardCharsets.UTF_8)));
                }
                case OCTET_STRING -> {
                    return new IppValue(t, new String(b, start, len, StandardCharsets.ISO_8859_1));
                }
                default -> {
                    return new IppValue(t, new String(b, start, len, StandardCharsets.UTF_8));
                }
            }
        }

        private void size(int len, int want, IppTag t, Object attr, int at) throws IppProtocolException {
            if (len != want) {
                throw error("attribute " + attr + ": a " + t + " value is " + want + " bytes, was " + len + " (byte "
                        + at + ")");
            }
        }

        private void need(int n, String what) throws NeedMore {
            if (end - pos < n) {
                throw new NeedMore(what, (long) pos + n);
            }
        }

        private int u16len(String what) throws NeedMore {
            need(2, what);
            return u16();
        }

        private String string(int len, String what) throws NeedMore {
            need(len, what);
            String s = new String(b, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        private int u16() {
            int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        private int u16at(int i) {
            return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }

        private int s32() {
            int v = i32(pos);
            pos += 4;
            return v;
        }

        private int i32(int i) {
            return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
        }
    }
}
