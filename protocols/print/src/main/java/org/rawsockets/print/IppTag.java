package org.rawsockets.print;

/**
 * The tags of IPP's binary encoding (RFC 8010 section 3.5): group delimiters, out-of-band values and
 * value syntaxes. A value whose tag is not one of these is kept as {@link #UNKNOWN_VALUE} with its raw
 * tag number and bytes (RFC 8010 3.5.2 asks to keep, not fail on, unknown value syntaxes); an unknown
 * group delimiter is a malformed message.
 */
public enum IppTag {
    // delimiters
    OPERATION_ATTRIBUTES(0x01), JOB_ATTRIBUTES(0x02), END_OF_ATTRIBUTES(0x03), PRINTER_ATTRIBUTES(0x04),
    UNSUPPORTED_ATTRIBUTES(0x05), SUBSCRIPTION_ATTRIBUTES(0x06), EVENT_NOTIFICATION_ATTRIBUTES(0x07),
    RESOURCE_ATTRIBUTES(0x08), DOCUMENT_ATTRIBUTES(0x09), SYSTEM_ATTRIBUTES(0x0A),
    // out-of-band
    UNSUPPORTED(0x10), DEFAULT(0x11), UNKNOWN(0x12), NO_VALUE(0x13), NOT_SETTABLE(0x15), DELETE_ATTRIBUTE(0x16),
    ADMIN_DEFINE(0x17),
    // integer
    INTEGER(0x21), BOOLEAN(0x22), ENUM(0x23),
    // octet string
    OCTET_STRING(0x30), DATE_TIME(0x31), RESOLUTION(0x32), RANGE_OF_INTEGER(0x33), BEGIN_COLLECTION(0x34),
    TEXT_WITH_LANGUAGE(0x35), NAME_WITH_LANGUAGE(0x36), END_COLLECTION(0x37),
    // character string
    TEXT(0x41), NAME(0x42), KEYWORD(0x44), URI(0x45), URI_SCHEME(0x46), CHARSET(0x47), NATURAL_LANGUAGE(0x48),
    MIME_MEDIA_TYPE(0x49), MEMBER_ATTR_NAME(0x4A),
    /** A value syntax this codec does not know (including the 0x7F extension): kept as raw bytes. */
    UNKNOWN_VALUE(-1);

    private final int code;

    IppTag(int code) {
        this.code = code;
    }

    /** The tag byte, or -1 for {@link #UNKNOWN_VALUE}. */
    public int code() {
        return code;
    }

    /** True for the group delimiters 0x00..0x0F. */
    public boolean isDelimiter() {
        return code >= 0 && code <= 0x0F;
    }

    /** True for the out-of-band values 0x10..0x1F (no value bytes). */
    public boolean isOutOfBand() {
        return code >= 0x10 && code <= 0x1F;
    }

    private static final IppTag[] BY_CODE = new IppTag[256];

    static {
        for (IppTag t : values()) {
            if (t.code >= 0) {
                BY_CODE[t.code] = t;
            }
        }
    }

    /** The tag with this code, or {@code null} when this codec does not know it. */
    public static IppTag of(int code) {
        return code < 0 || code > 255 ? null : BY_CODE[code];
    }
}
