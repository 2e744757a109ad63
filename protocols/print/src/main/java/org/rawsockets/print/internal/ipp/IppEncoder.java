package org.rawsockets.print.internal.ipp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;

import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.IppGroup;
import org.rawsockets.print.IppMessage;
import org.rawsockets.print.IppTag;
import org.rawsockets.print.IppValue;

/** Writes an {@link IppMessage} in RFC 8010's binary encoding (transport-free). */
public final class IppEncoder {

    private IppEncoder() {
    }

    public static byte[] encode(IppMessage m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        short16(out, m.version());
        short16(out, m.code());
        int32(out, m.requestId());
        for (IppGroup g : m.groups()) {
            out.write(g.tag().code());
            for (IppAttribute a : g.attributes()) {
                attribute(out, a, 0);
            }
        }
        out.write(IppTag.END_OF_ATTRIBUTES.code());
        return out.toByteArray();
    }

    private static void attribute(ByteArrayOutputStream out, IppAttribute a, int depth) {
        byte[] name = a.name().getBytes(StandardCharsets.UTF_8);
        boolean first = true;
        for (IppValue v : a.values()) {
            value(out, first ? name : new byte[0], v, depth);
            first = false;
        }
    }

    private static void value(ByteArrayOutputStream out, byte[] name, IppValue v, int depth) {
        if (depth > IppDecoder.MAX_DEPTH_LIMIT) {
            throw new IllegalArgumentException("collections nested deeper than " + IppDecoder.MAX_DEPTH_LIMIT);
        }
        if (v.tag() == IppTag.BEGIN_COLLECTION) {
            header(out, IppTag.BEGIN_COLLECTION.code(), name, new byte[0]);
            for (IppAttribute member : v.members()) {
                header(out, IppTag.MEMBER_ATTR_NAME.code(), new byte[0], member.name().getBytes(StandardCharsets.UTF_8));
                for (IppValue mv : member.values()) {
                    value(out, new byte[0], mv, depth + 1);
                }
            }
            header(out, IppTag.END_COLLECTION.code(), new byte[0], new byte[0]);
            return;
        }
        if (v.value() instanceof IppValue.Raw raw) {
            header(out, raw.tagCode(), name, raw.bytes());
            return;
        }
        header(out, v.tag().code(), name, valueBytes(v));
    }

    static byte[] valueBytes(IppValue v) {
        Object o = v.value();
        if (o == null) {
            return new byte[0];
        }
        switch (v.tag()) {
            case INTEGER, ENUM -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream(4);
                int32(b, (Integer) o);
                return b.toByteArray();
            }
            case BOOLEAN -> {
                return new byte[] {(byte) (((Boolean) o) ? 1 : 0)};
            }
            case OCTET_STRING -> {
                return ((String) o).getBytes(StandardCharsets.ISO_8859_1);
            }
            case DATE_TIME -> {
                OffsetDateTime t = (OffsetDateTime) o;
                int off = t.getOffset().getTotalSeconds() / 60;
                ByteArrayOutputStream b = new ByteArrayOutputStream(11);
                short16(b, t.getYear());
                b.write(t.getMonthValue());
                b.write(t.getDayOfMonth());
                b.write(t.getHour());
                b.write(t.getMinute());
                b.write(t.getSecond());
                b.write(t.getNano() / 100_000_000);
                b.write(off < 0 ? '-' : '+');
                b.write(Math.abs(off) / 60);
                b.write(Math.abs(off) % 60);
                return b.toByteArray();
            }
            case RESOLUTION -> {
                IppValue.Resolution r = (IppValue.Resolution) o;
                ByteArrayOutputStream b = new ByteArrayOutputStream(9);
                int32(b, r.crossFeed());
                int32(b, r.feed());
                b.write(r.units());
                return b.toByteArray();
            }
            case RANGE_OF_INTEGER -> {
                IppValue.Range r = (IppValue.Range) o;
                ByteArrayOutputStream b = new ByteArrayOutputStream(8);
                int32(b, r.lower());
                int32(b, r.upper());
                return b.toByteArray();
            }
            case TEXT_WITH_LANGUAGE, NAME_WITH_LANGUAGE -> {
                IppValue.Localized l = (IppValue.Localized) o;
                byte[] lang = l.language().getBytes(StandardCharsets.US_ASCII);
                byte[] text = l.text().getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream b = new ByteArrayOutputStream(4 + lang.length + text.length);
                short16(b, lang.length);
                b.writeBytes(lang);
                short16(b, text.length);
                b.writeBytes(text);
                return b.toByteArray();
            }
            default -> {
                if (o instanceof String s) {
                    return s.getBytes(StandardCharsets.UTF_8);
                }
                throw new IllegalArgumentException("value " + o + " does not fit syntax " + v.tag());
            }
        }
    }

    private static void header(ByteArrayOutputStream out, int tag, byte[] name, byte[] value) {
        if (name.length > 0x7FFF || value.length > 0x7FFF) {
            throw new IllegalArgumentException("an IPP name or value is at most 32767 bytes, was "
                    + Math.max(name.length, value.length));
        }
        out.write(tag);
        short16(out, name.length);
        out.writeBytes(name);
        short16(out, value.length);
        out.writeBytes(value);
    }

    static void short16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    static void int32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    /** Convenience for request building: an attribute list. */
    public static List<IppAttribute> list(IppAttribute... a) {
        return List.of(a);
    }
}
