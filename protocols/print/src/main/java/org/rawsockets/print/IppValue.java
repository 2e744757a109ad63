package org.rawsockets.print;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One value of an IPP attribute: its syntax ({@link #tag()}) and the Java form of its bytes.
 * <ul>
 * <li>{@code INTEGER}, {@code ENUM}: {@link Integer}; {@code BOOLEAN}: {@link Boolean}</li>
 * <li>character strings and {@code OCTET_STRING}: {@link String} (UTF-8; octetString as ISO-8859-1
 * so that every byte survives)</li>
 * <li>{@code DATE_TIME}: {@link OffsetDateTime}; {@code RESOLUTION}: {@link Resolution};
 * {@code RANGE_OF_INTEGER}: {@link Range}; {@code TEXT/NAME_WITH_LANGUAGE}: {@link Localized}</li>
 * <li>{@code BEGIN_COLLECTION}: {@code List<IppAttribute>} (the members)</li>
 * <li>out-of-band tags: {@code null}; {@code UNKNOWN_VALUE}: {@link Raw}</li>
 * </ul>
 */
public record IppValue(IppTag tag, Object value) {

    public IppValue {
        Objects.requireNonNull(tag, "tag");
        if (tag.isDelimiter() || tag == IppTag.END_COLLECTION || tag == IppTag.MEMBER_ATTR_NAME) {
            throw new IllegalArgumentException("tag " + tag + " is not a value syntax");
        }
        if (tag.isOutOfBand() != (value == null)) {
            throw new IllegalArgumentException("an out-of-band tag has no value, every other tag has one (tag " + tag + ")");
        }
        if (value instanceof List<?> l) {
            value = List.copyOf(l);
        }
    }

    /** A resolution (RFC 8010 3.9): cross-feed, feed and units (3 = dots per inch, 4 = dots per cm). */
    public record Resolution(int crossFeed, int feed, int units) {
        @Override
        public String toString() {
            return crossFeed + "x" + feed + (units == 3 ? "dpi" : units == 4 ? "dpcm" : "/" + units);
        }
    }

    /** A rangeOfInteger. */
    public record Range(int lower, int upper) {
        @Override
        public String toString() {
            return lower + "-" + upper;
        }
    }

    /** A textWithLanguage or nameWithLanguage. */
    public record Localized(String language, String text) {
        @Override
        public String toString() {
            return text + " [" + language + "]";
        }
    }

    /** The bytes of a value syntax this codec does not know, with its tag byte. */
    public record Raw(int tagCode, byte[] bytes) {
        public Raw {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Raw r && r.tagCode == tagCode && Arrays.equals(r.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return tagCode * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "tag 0x" + Integer.toHexString(tagCode) + " (" + bytes.length + " bytes)";
        }
    }

    public static IppValue integer(int v) {
        return new IppValue(IppTag.INTEGER, v);
    }

    public static IppValue enumValue(int v) {
        return new IppValue(IppTag.ENUM, v);
    }

    public static IppValue bool(boolean v) {
        return new IppValue(IppTag.BOOLEAN, v);
    }

    public static IppValue keyword(String v) {
        return new IppValue(IppTag.KEYWORD, v);
    }

    public static IppValue name(String v) {
        return new IppValue(IppTag.NAME, v);
    }

    public static IppValue text(String v) {
        return new IppValue(IppTag.TEXT, v);
    }

    public static IppValue uri(String v) {
        return new IppValue(IppTag.URI, v);
    }

    public static IppValue mimeMediaType(String v) {
        return new IppValue(IppTag.MIME_MEDIA_TYPE, v);
    }

    public static IppValue collection(List<IppAttribute> members) {
        return new IppValue(IppTag.BEGIN_COLLECTION, members);
    }

    public static IppValue outOfBand(IppTag tag) {
        return new IppValue(tag, null);
    }

    /** The value as an int (integer, enum). */
    public int asInt() {
        if (value instanceof Integer i) {
            return i;
        }
        throw new IllegalStateException("value of syntax " + tag + " is not an integer");
    }

    /** The members of a collection value. */
    @SuppressWarnings("unchecked")
    public List<IppAttribute> members() {
        if (tag == IppTag.BEGIN_COLLECTION) {
            return (List<IppAttribute>) value;
        }
        throw new IllegalStateException("value of syntax " + tag + " is not a collection");
    }

    /** A short human form, as ipptool prints it. */
    @Override
    public String toString() {
        if (value == null) {
            return tag.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        if (tag == IppTag.BEGIN_COLLECTION) {
            StringBuilder b = new StringBuilder("{");
            for (IppAttribute a : members()) {
                b.append(b.length() > 1 ? " " : "").append(a);
            }
            return b.append('}').toString();
        }
        if (tag == IppTag.OCTET_STRING && value instanceof String s) {
            return new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }
        return String.valueOf(value);
    }
}
