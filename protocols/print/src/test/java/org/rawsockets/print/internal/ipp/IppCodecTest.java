package org.rawsockets.print.internal.ipp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.IppGroup;
import org.rawsockets.print.IppMessage;
import org.rawsockets.print.IppProtocolException;
import org.rawsockets.print.IppTag;
import org.rawsockets.print.IppValue;

class IppCodecTest {

    static final IppDecoder.Limits LIMITS = IppDecoder.Limits.defaults();

    /** A message with every value syntax, out-of-band values, 1setOf, and nested collections. */
    static IppMessage everyTag() {
        IppAttribute mediaSize = IppAttribute.of("media-size", IppValue.collection(List.of(
                IppAttribute.of("x-dimension", IppValue.integer(21000)),
                IppAttribute.of("y-dimension", IppValue.integer(29700)))));
        IppAttribute mediaCol = new IppAttribute("media-col", List.of(
                IppValue.collection(List.of(mediaSize, IppAttribute.of("media-type", IppValue.keyword("stationery")),
                        new IppAttribute("media-source", List.of(IppValue.keyword("tray-1"), IppValue.keyword("auto"))))),
                IppValue.collection(List.of(IppAttribute.of("media-key", IppValue.keyword("iso_a5")))),
                IppValue.collection(List.of())));
        List<IppAttribute> op = List.of(
                IppAttribute.of("attributes-charset", new IppValue(IppTag.CHARSET, "utf-8")),
                IppAttribute.of("attributes-natural-language", new IppValue(IppTag.NATURAL_LANGUAGE, "en")),
                IppAttribute.of("printer-uri", IppValue.uri("ipp://127.0.0.1:631/ipp/print")),
                IppAttribute.of("requesting-user-name", IppValue.name("élan")),
                IppAttribute.of("document-format", IppValue.mimeMediaType("application/pdf")),
                IppAttribute.of("uri-scheme", new IppValue(IppTag.URI_SCHEME, "ipps")),
                IppAttribute.of("message", IppValue.text("hello ✓")));
        List<IppAttribute> job = List.of(
                IppAttribute.of("copies", IppValue.integer(-7)),
                IppAttribute.of("orientation-requested", IppValue.enumValue(4)),
                IppAttribute.of("color", IppValue.bool(true), IppValue.bool(false)),
                IppAttribute.of("octets", new IppValue(IppTag.OCTET_STRING, "\u0000\u00ff\u0080a")),
                IppAttribute.of("when", new IppValue(IppTag.DATE_TIME,
                        OffsetDateTime.of(2026, 12, 4, 2, 30, 15, 300_000_000, ZoneOffset.ofHoursMinutes(-5, -30)))),
                IppAttribute.of("printer-resolution", new IppValue(IppTag.RESOLUTION, new IppValue.Resolution(600, 1200, 3))),
                IppAttribute.of("page-ranges", new IppValue(IppTag.RANGE_OF_INTEGER, new IppValue.Range(1, 5)),
                        new IppValue(IppTag.RANGE_OF_INTEGER, new IppValue.Range(8, 9))),
                IppAttribute.of("job-name", new IppValue(IppTag.NAME_WITH_LANGUAGE, new IppValue.Localized("fr", "Facture"))),
                IppAttribute.of("info", new IppValue(IppTag.TEXT_WITH_LANGUAGE, new IppValue.Localized("de", "Grüße"))),
                mediaCol,
                IppAttribute.of("oob", IppValue.outOfBand(IppTag.UNSUPPORTED), IppValue.outOfBand(IppTag.DEFAULT),
                        IppValue.outOfBand(IppTag.UNKNOWN), IppValue.outOfBand(IppTag.NO_VALUE),
                        IppValue.outOfBand(IppTag.NOT_SETTABLE), IppValue.outOfBand(IppTag.DELETE_ATTRIBUTE),
                        IppValue.outOfBand(IppTag.ADMIN_DEFINE)),
                IppAttribute.of("vendor", new IppValue(IppTag.UNKNOWN_VALUE, new IppValue.Raw(0x7F, new byte[] {0, 0, 0x40, 0, 1}))));
        return new IppMessage(0x0200, 0x0002, 42, List.of(new IppGroup(IppTag.OPERATION_ATTRIBUTES, op),
                new IppGroup(IppTag.JOB_ATTRIBUTES, job), new IppGroup(IppTag.PRINTER_ATTRIBUTES, List.of()),
                new IppGroup(IppTag.UNSUPPORTED_ATTRIBUTES, List.of()), new IppGroup(IppTag.DOCUMENT_ATTRIBUTES, List.of()),
                new IppGroup(IppTag.SUBSCRIPTION_ATTRIBUTES, List.of()),
                new IppGroup(IppTag.EVENT_NOTIFICATION_ATTRIBUTES, List.of()),
                new IppGroup(IppTag.RESOURCE_ATTRIBUTES, List.of()), new IppGroup(IppTag.SYSTEM_ATTRIBUTES, List.of())));
    }

    @Test
    void everyTagRoundTrips() throws Exception {
        IppMessage m = everyTag();
        byte[] bytes = IppEncoder.encode(m);
        assertEquals(m, IppDecoder.decode(bytes, LIMITS, "test"));
        // and re-encoding gives the same bytes
        assertEquals(Arrays.toString(bytes), Arrays.toString(IppEncoder.encode(IppDecoder.decode(bytes, LIMITS, "test"))));
    }

    @Test
    void collectionWireFormatFollowsRfc8010() throws Exception {
        IppMessage m = new IppMessage(0x0200, 0, 1, List.of(new IppGroup(IppTag.JOB_ATTRIBUTES, List.of(
                IppAttribute.of("c", IppValue.collection(List.of(IppAttribute.of("k", IppValue.integer(1)))))))));
        byte[] b = IppEncoder.encode(m);
        byte[] expected = {2, 0, 0, 0, 0, 0, 0, 1, 0x02,
            0x34, 0, 1, 'c', 0, 0,
            0x4A, 0, 0, 0, 1, 'k',
            0x21, 0, 0, 0, 4, 0, 0, 0, 1,
            0x37, 0, 0, 0, 0,
            0x03};
        assertEquals(Arrays.toString(expected), Arrays.toString(b));
    }

    @Test
    void splitAtEveryByteGivesTheSameMessageAndLeavesDocumentData() throws Exception {
        IppMessage m = everyTag();
        byte[] attrs = IppEncoder.encode(m);
        byte[] withDoc = Arrays.copyOf(attrs, attrs.length + 3);
        withDoc[attrs.length] = '%';
        withDoc[attrs.length + 1] = 'P';
        withDoc[attrs.length + 2] = 'D';
        for (int split = 0; split <= withDoc.length; split++) {
            IppDecoder d = new IppDecoder(LIMITS, "test");
            ByteBuffer first = ByteBuffer.wrap(withDoc, 0, split);
            IppMessage got = d.feed(first);
            ByteBuffer rest = ByteBuffer.wrap(withDoc, split, withDoc.length - split);
            if (got == null) {
                assertEquals(0, first.remaining(), "the decoder takes every byte it needs");
                got = d.feed(rest);
                assertEquals(3, rest.remaining(), "document data stays in the caller's buffer (split " + split + ")");
            } else {
                assertEquals(split - attrs.length, first.remaining(), "split " + split);
            }
            assertEquals(m, got, "split at " + split);
        }
    }

    @Test
    void byteByByteFeedCompletesExactlyAtTheEndTag() throws Exception {
        byte[] attrs = IppEncoder.encode(everyTag());
        IppDecoder d = new IppDecoder(LIMITS, "test");
        for (int i = 0; i < attrs.length - 1; i++) {
            assertNull(d.feed(ByteBuffer.wrap(attrs, i, 1)), "byte " + i);
        }
        assertEquals(everyTag(), d.feed(ByteBuffer.wrap(attrs, attrs.length - 1, 1)));
    }

    @Test
    void truncatedAtEveryByteIsATypedError() {
        byte[] attrs = IppEncoder.encode(everyTag());
        for (int len = 0; len < attrs.length; len++) {
            int l = len;
            IppProtocolException e = assertThrows(IppProtocolException.class,
                    () -> IppDecoder.decode(Arrays.copyOf(attrs, l), LIMITS, "printer X"));
            assertTrue(e.getMessage().startsWith("malformed IPP message from printer X: the message is truncated"),
                    e.getMessage());
            IppDecoder d = new IppDecoder(LIMITS, "printer X");
            assertThrows(IppProtocolException.class, () -> {
                d.feed(ByteBuffer.wrap(attrs, 0, l));
                d.finish();
            });
        }
    }

    @Test
    void valueLengthBeyondTheBody() {
        byte[] b = {2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x21, 0, 1, 'x', 0x7F, (byte) 0xFF, 0, 0, 0, 1, 3};
        IppProtocolException e = assertThrows(IppProtocolException.class, () -> IppDecoder.decode(b, LIMITS, "p"));
        assertTrue(e.getMessage().contains("the value of x (32767 bytes declared, 5 left)"), e.getMessage());
    }

    @Test
    void unknownGroupTagIsAnErrorUnknownValueTagIsKept() throws Exception {
        byte[] badGroup = {2, 0, 0, 0, 0, 0, 0, 1, 0x0C, 0x03};
        IppProtocolException e = assertThrows(IppProtocolException.class,
                () -> IppDecoder.decode(badGroup, LIMITS, "p"));
        assertTrue(e.getMessage().contains("unknown group tag 0xc at byte 8"), e.getMessage());
        byte[] zero = {2, 0, 0, 0, 0, 0, 0, 1, 0x00, 0x03};
        assertThrows(IppProtocolException.class, () -> IppDecoder.decode(zero, LIMITS, "p"));
        byte[] unknownValue = {2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x5F, 0, 1, 'v', 0, 2, 9, 8, 3};
        IppMessage m = IppDecoder.decode(unknownValue, LIMITS, "p");
        IppValue v = m.attribute(IppTag.PRINTER_ATTRIBUTES, "v").orElseThrow().value();
        assertEquals(new IppValue(IppTag.UNKNOWN_VALUE, new IppValue.Raw(0x5F, new byte[] {9, 8})), v);
    }

    @Test
    void wrongValueSizesAndStructureAreTypedErrors() {
        byte[][] bad = {
            {2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x21, 0, 1, 'x', 0, 3, 1, 2, 3, 3}, // integer of 3 bytes
            {2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x22, 0, 1, 'x', 0, 2, 1, 1, 3}, // boolean of 2
            {2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x21, 0, 0, 0, 4, 0, 0, 0, 1, 3}, // additional value first
            {2, 0, 0, 0, 0, 0, 0, 1, 0x21, 0, 1, 'x', 0, 4, 0, 0, 0, 1, 3}, // value before a group
            {2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x37, 0, 1, 'x', 0, 0, 3}, // endCollection outside
            {2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x34, 0, 1, 'c', 0, 0, 0x03}, // collection not closed
            {2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x34, 0, 1, 'c', 0, 0, 0x21, 0, 0, 0, 4, 0, 0, 0, 1, 0x37, 0, 0, 0, 0, 3},
            {2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x35, 0, 1, 't', 0, 5, 0, 9, 'e', 'n', 0, 3}, // language beyond value
            {2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x31, 0, 1, 'd', 0, 11, 7, (byte) 0xEA, 13, 1, 0, 0, 0, 0, '+', 0, 0, 3},
        };
        for (byte[] b : bad) {
            assertThrows(IppProtocolException.class, () -> IppDecoder.decode(b, LIMITS, "p"), Arrays.toString(b));
        }
    }

    @Test
    void limitsBoundMemory() throws Exception {
        IppMessage m = everyTag();
        byte[] b = IppEncoder.encode(m);
        IppProtocolException big = assertThrows(IppProtocolException.class,
                () -> IppDecoder.decode(b, new IppDecoder.Limits(100, 1000, 8), "p"));
        assertTrue(big.getMessage().contains("longer than the limit of 100 bytes"), big.getMessage());
        IppDecoder d = new IppDecoder(new IppDecoder.Limits(100, 1000, 8), "p");
        assertThrows(IppProtocolException.class, () -> d.feed(ByteBuffer.wrap(b)));
        assertThrows(IppProtocolException.class, () -> IppDecoder.decode(b, new IppDecoder.Limits(1 << 20, 5, 8), "p"));
        assertThrows(IppProtocolException.class, () -> IppDecoder.decode(b, new IppDecoder.Limits(1 << 20, 1000, 1), "p"));
        // 40 nested collections: refused at the depth limit
        byte[] deep = new byte[9 + 40 * 11 + 1];
        byte[] head = {2, 0, 0, 0, 0, 0, 0, 1, 0x01};
        System.arraycopy(head, 0, deep, 0, 9);
        int p = 9;
        deep[p++] = 0x34; deep[p++] = 0; deep[p++] = 1; deep[p++] = 'c'; deep[p++] = 0; deep[p++] = 0;
        for (int i = 0; i < 39; i++) {
            deep[p++] = 0x4A; deep[p++] = 0; deep[p++] = 0; deep[p++] = 0; deep[p++] = 1; deep[p++] = 'm';
            deep[p++] = 0x34; deep[p++] = 0; deep[p++] = 0; deep[p++] = 0; deep[p++] = 0;
        }
        byte[] deepMsg = Arrays.copyOf(deep, p);
        IppProtocolException e = assertThrows(IppProtocolException.class, () -> IppDecoder.decode(deepMsg, LIMITS, "p"));
        assertTrue(e.getMessage().contains("nested deeper than 16") || e.getMessage().contains("truncated"), e.getMessage());
    }
}
