package org.rawsockets.print.internal.ipp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.IppGroup;
import org.rawsockets.print.IppMessage;
import org.rawsockets.print.IppProtocolException;
import org.rawsockets.print.IppTag;
import org.rawsockets.print.IppValue;

/**
 * {@link IppDecoder#feed} in small pieces (issue 21's fuzz target found it re-parsing everything
 * received on every piece: allocation and time growing with pieces x length).
 */
class IppStreamingTest {

    private static IppMessage manyAttributes(int n) {
        List<IppAttribute> printer = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            printer.add(IppAttribute.of("printer-attribute-" + i, IppValue.keyword("value-" + i), IppValue.integer(3)));
        }
        return new IppMessage(0x0200, 0, 1, List.of(new IppGroup(IppTag.OPERATION_ATTRIBUTES,
                List.of(IppAttribute.of("attributes-charset", new IppValue(IppTag.CHARSET, "utf-8")))),
                new IppGroup(IppTag.PRINTER_ATTRIBUTES, printer)));
    }

    @Test
    void byteByBytePiecesAllocateInProportionToTheMessage() throws Exception {
        byte[] wire = IppEncoder.encode(manyAttributes(400)); // ~20 KB, many 0x03 bytes (integer 3)
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        IppDecoder.decode(wire, IppDecoder.Limits.defaults(), "warm-up");
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        IppDecoder d = new IppDecoder(IppDecoder.Limits.defaults(), "test");
        IppMessage m = null;
        for (int i = 0; i < wire.length && m == null; i++) {
            m = d.feed(ByteBuffer.wrap(wire, i, 1));
        }
        long used = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertNotNull(m);
        assertArrayEquals(wire, IppEncoder.encode(m));
        // measured for this 17 KB message: 1.99 GB before (every piece re-parsed everything), 2.1 MB
        // with the parse resuming at its last top-level tag
        assertTrue(used < 16L * 1024 * 1024, "allocated " + used + " bytes for a message of " + wire.length);
    }

    private static long allocated(ThrowingRunnable r) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        r.run();
        return mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static IppMessage oneCollection(int members, int depth, int nameLength) {
        String pad = "m".repeat(nameLength);
        List<IppAttribute> inner = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            inner.add(IppAttribute.of(pad + i, IppValue.integer(3))); // a byte 0x03 in every value
        }
        IppValue v = IppValue.collection(inner);
        for (int d = 1; d < depth; d++) {
            v = IppValue.collection(List.of(IppAttribute.of(pad + "-level-" + d, v)));
        }
        return new IppMessage(0x0200, 0, 1, List.of(new IppGroup(IppTag.PRINTER_ATTRIBUTES,
                List.of(IppAttribute.of("media-col-database", v)))));
    }

    @Test
    void aCollectionFedByteByByteIsFramedNotParsedAgainOnEveryPiece() throws Exception {
        // Issue 21's finding: every piece holding a byte 0x03 (here: every integer 3) re-parsed the
        // open collection from its start. Measured for this 8.3 KB message: 56 MB before, 0.37 MB with
        // the framer (one decode of the whole: 0.11 MB).
        byte[] wire = IppEncoder.encode(oneCollection(400, 1, 4));
        IppDecoder.decode(wire, IppDecoder.Limits.defaults(), "warm-up");
        long whole = allocated(() -> IppDecoder.decode(wire, IppDecoder.Limits.defaults(), "test"));
        ByteBuffer[] pieces = new ByteBuffer[wire.length];
        for (int i = 0; i < wire.length; i++) {
            pieces[i] = ByteBuffer.wrap(wire, i, 1);
        }
        IppMessage[] m = new IppMessage[1];
        long fed = allocated(() -> {
            IppDecoder d = new IppDecoder(IppDecoder.Limits.defaults(), "test");
            for (int i = 0; i < wire.length && m[0] == null; i++) {
                m[0] = d.feed(pieces[i]);
            }
        });
        assertNotNull(m[0]);
        assertArrayEquals(wire, IppEncoder.encode(m[0]));
        assertTrue(fed < 8 * whole + 256 * 1024, "fed byte by byte: " + fed + " bytes, one decode: " + whole
                + ", message " + wire.length);
    }

    @Test
    void aDeepCollectionNamesItsPathOnlyInAnError() throws Exception {
        // Before, every value in a collection built its path ("a/b/c") and a need message eagerly:
        // for this 98.6 KB message (12 levels of 300-byte names, 300 values) 5.6 MB per decode before,
        // 0.18 MB now.
        byte[] wire = IppEncoder.encode(oneCollection(300, 12, 300));
        IppDecoder.decode(wire, IppDecoder.Limits.defaults(), "warm-up");
        long used = allocated(() -> IppDecoder.decode(wire, IppDecoder.Limits.defaults(), "test"));
        assertTrue(used < 32L * wire.length + 256 * 1024, "one decode: " + used + " bytes, message " + wire.length);

        byte[] bad = IppEncoder.encode(oneCollection(1, 3, 2));
        int value = bad.length - 1 - 3 * 5 - 4; // the integer before the end tag and three end-collections
        bad[value - 1] = 3; // its declared length 4 becomes 3: a value of the wrong size, deep inside
        IppProtocolException e = assertThrows(IppProtocolException.class,
                () -> IppDecoder.decode(bad, IppDecoder.Limits.defaults(), "printer test"));
        assertTrue(e.getMessage().contains("media-col-database/mm-level-2/mm-level-1/mm0"), e.getMessage());
    }

    @Test
    void theMessageEndsWhereItsEndTagArrivesAndTheRestStays() throws Exception {
        byte[] wire = IppEncoder.encode(manyAttributes(3));
        byte[] withDocument = java.util.Arrays.copyOf(wire, wire.length + 4);
        withDocument[wire.length] = 0x03; // document data that looks like an end tag
        IppDecoder d = new IppDecoder(IppDecoder.Limits.defaults(), "test");
        for (int i = 0; i < wire.length - 1; i++) {
            assertNull(d.feed(ByteBuffer.wrap(withDocument, i, 1)));
        }
        ByteBuffer last = ByteBuffer.wrap(withDocument, wire.length - 1, 5);
        assertNotNull(d.feed(last));
        assertEquals(4, last.remaining(), "the document data stays in the caller's buffer");
    }

    @Test
    void aMalformedMessageFedInPiecesStillFailsTyped() throws Exception {
        byte[] wire = IppEncoder.encode(manyAttributes(3));
        wire[10] = (byte) 0x7F; // the first attribute's name length becomes 32 KB: over the message
        wire[11] = (byte) 0xFF;
        IppDecoder d = new IppDecoder(new IppDecoder.Limits(4096, 100, 4), "test");
        assertThrows(IppProtocolException.class, () -> {
            for (int i = 0; i < wire.length; i++) {
                if (d.feed(ByteBuffer.wrap(wire, i, 1)) != null) {
                    return;
                }
            }
            d.finish();
        });
    }
}
