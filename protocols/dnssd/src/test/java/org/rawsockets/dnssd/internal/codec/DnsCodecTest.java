package org.rawsockets.dnssd.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rawsockets.dnssd.DnsMessageException;

class DnsCodecTest {

    static final DnsName TYPE = DnsName.parse("_ipp._tcp.local");
    static final DnsName INSTANCE = TYPE.prepend("Office Printer 2.1");
    static final DnsName HOST = DnsName.parse("printer-7.local");

    static DnsMessage sample() throws Exception {
        Map<String, String> txt = new LinkedHashMap<>();
        txt.put("rp", "ipp/print");
        txt.put("Color", null);
        txt.put("note", "");
        return new DnsMessage(0, DnsMessage.FLAG_RESPONSE | DnsMessage.FLAG_AUTHORITATIVE, List.of(),
                List.of(DnsRecord.of(TYPE, 4500, new DnsRecord.Ptr(INSTANCE))),
                List.of(),
                List.of(new DnsRecord(INSTANCE, RecordType.SRV, 1, true, 120, new DnsRecord.Srv(0, 0, 631, HOST)),
                        new DnsRecord(INSTANCE, RecordType.TXT, 1, true, 4500, TxtAttributes.encode(txt)),
                        new DnsRecord(HOST, RecordType.A, 1, true, 120,
                                new DnsRecord.A((Inet4Address) InetAddress.getByName("192.0.2.7"))),
                        new DnsRecord(HOST, RecordType.AAAA, 1, true, 120,
                                new DnsRecord.Aaaa((Inet6Address) InetAddress.getByName("2001:db8::7"))),
                        new DnsRecord(HOST, RecordType.NSEC, 1, true, 120,
                                new DnsRecord.Nsec(HOST, new java.util.TreeSet<>(Set.of(1, 28, 1234)))),
                        new DnsRecord(HOST, 99, 1, false, 60, new DnsRecord.Unknown(new byte[] { 1, 2, 3 }))));
    }

    @Test
    void everyTypeRoundTripsAndNamesAreCompressed() throws Exception {
        DnsMessage m = sample();
        byte[] wire = DnsEncoder.encode(m);
        DnsMessage back = DnsDecoder.decode(wire);
        assertEquals(m, back);
        assertEquals("Office Printer 2\\.1._ipp._tcp.local", back.additionals().get(0).name().toString());
        assertEquals(List.of("Office Printer 2.1", "_ipp", "_tcp", "local"), back.additionals().get(0).name().labels());
        assertTrue(back.additionals().get(0).cacheFlush());
        assertFalse(back.answers().get(0).cacheFlush());
        // "_ipp._tcp.local" is written once; later names point at it: far fewer bytes than spelled out
        int spelled = 0;
        for (DnsRecord r : m.allRecords()) {
            spelled += r.name().toString().length() + 2;
        }
        assertTrue(wire.length < 12 + spelled + 150, "compressed size " + wire.length);
        assertEquals(1, countOccurrences(wire, "_ipp".getBytes(StandardCharsets.US_ASCII)));
        DnsRecord.Nsec nsec = (DnsRecord.Nsec) back.additionals().get(4).data();
        assertEquals(Set.of(1, 28, 1234), nsec.types());
        DnsRecord unknown = back.additionals().get(5);
        assertEquals(99, unknown.type());
        assertArrayEquals(new byte[] { 1, 2, 3 }, ((DnsRecord.Unknown) unknown.data()).bytes());
    }

    static int countOccurrences(byte[] hay, byte[] needle) {
        int n = 0;
        outer: for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            n++;
        }
        return n;
    }

    @Test
    void txtKeyValueFollowsRfc6763Section6() {
        List<byte[]> s = new ArrayList<>();
        for (String x : new String[] { "rp=ipp/print", "Color", "note=", "=nokey", "RP=second", "pdl=a=b", "", "t\u00e9=x" }) {
            s.add(x.getBytes(StandardCharsets.UTF_8));
        }
        TxtAttributes t = TxtAttributes.of(new DnsRecord.Txt(s));
        assertEquals("ipp/print", t.value("rp").orElseThrow(), "first occurrence wins, keys case-insensitive");
        assertTrue(t.has("color"));
        assertTrue(t.value("color").isEmpty(), "a bare key is a boolean attribute without a value");
        assertEquals("", t.value("note").orElseThrow(), "key= is an empty value");
        assertEquals("a=b", t.value("pdl").orElseThrow(), "the value runs from the first '='");
        assertFalse(t.has(""));
        assertEquals(4, t.size(), "empty key, empty string and a non-ASCII key are ignored: " + t);
        assertEquals(List.of("rp", "Color", "note", "pdl"), List.copyOf(t.asStrings().keySet()));
        assertEquals(0, TxtAttributes.of(TxtAttributes.encode(Map.of())).size());
    }

    @Test
    void queryCarriesTheQuBitAndSplitsKnownAnswersWithTc() throws Exception {
        DnsQuestion q = new DnsQuestion(TYPE, RecordType.PTR, RecordType.CLASS_IN, true);
        byte[] one = DnsEncoder.encodeQuery(List.of(q), List.of(), 9000).get(0);
        assertEquals((byte) 0x80, one[12 + 17 + 2], "QU bit: top bit of the question class");
        DnsMessage d = DnsDecoder.decode(one);
        assertTrue(d.questions().get(0).unicastResponse());
        assertFalse(d.isResponse());

        List<DnsRecord> known = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            known.add(DnsRecord.of(TYPE, 4500, new DnsRecord.Ptr(TYPE.prepend("Printer number " + i))));
        }
        List<byte[]> packets = DnsEncoder.encodeQuery(List.of(DnsQuestion.of(TYPE, RecordType.PTR)), known, 1500);
        assertTrue(packets.size() > 1, "200 known answers do not fit in 1500 bytes");
        List<DnsRecord> all = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            assertTrue(packets.get(i).length <= 1500);
            DnsMessage p = DnsDecoder.decode(packets.get(i));
            assertEquals(i < packets.size() - 1, p.isTruncated(), "TC on every packet but the last");
            assertEquals(i == 0 ? 1 : 0, p.questions().size());
            all.addAll(p.answers());
        }
        assertEquals(known, all);
    }

    static byte[] header(int qd, int an) {
        return new byte[] { 0, 0, (byte) 0x84, 0, 0, (byte) qd, 0, (byte) an, 0, 0, 0, 0 };
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static String error(byte[] wire) {
        return assertThrows(DnsMessageException.class, () -> DnsDecoder.decode(wire)).getMessage();
    }

    @Test
    void pointerLoopsOutOfRangePointersAndLongNamesAreRefused() {
        byte[] tail = { 0, 12, 0, 1 }; // type PTR, class IN
        // a pointer to itself (offset 12)
        assertTrue(error(concat(header(1, 0), new byte[] { (byte) 0xc0, 12 }, tail)).contains("pointer loop"));
        // two labels pointing at each other: 12: "a" -> pointer to 17; 17: "b" -> pointer to 12
        byte[] loop = concat(header(1, 0), new byte[] { 1, 'a', (byte) 0xc0, 17, 0, 1, 'b', (byte) 0xc0, 12 }, tail);
        assertTrue(error(loop).contains("pointer loop"), error(loop));
        // a pointer beyond the message
        String out = error(concat(header(1, 0), new byte[] { 1, 'a', (byte) 0xc0, (byte) 200 }, tail));
        assertTrue(out.contains("outside the message"), out);
        // a name built from backward pointers that grows past 255 bytes
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(header(5, 0));
        int prev = -1;
        byte[] label = new byte[63];
        java.util.Arrays.fill(label, (byte) 'x');
        for (int i = 0; i < 5; i++) {
            int at = o.size();
            o.write(63);
            o.writeBytes(label);
            if (prev < 0) {
                o.write(0);
            } else {
                o.write(0xc0 | (prev >> 8));
                o.write(prev);
            }
            o.writeBytes(tail);
            prev = at;
        }
        String longName = error(o.toByteArray());
        assertTrue(longName.contains("longer than 255"), longName);
        // reserved label type bits
        assertTrue(error(concat(header(1, 0), new byte[] { 0x40, 'a', 0 }, tail)).contains("reserved type bits"));
    }

    @Test
    void truncatedAndOversizedDataAreRefusedWithTheOffset() throws Exception {
        byte[] wire = DnsEncoder.encode(sample());
        assertTrue(error(new byte[5]).contains("12-byte header"));
        // the answer count says 1000 records, the bytes cannot hold them
        byte[] many = wire.clone();
        many[6] = 0x03;
        many[7] = (byte) 0xe8;
        assertTrue(error(many).contains("1006 records"), error(many));
        // first answer's rdlength bumped beyond the message
        DnsMessage m = DnsDecoder.decode(wire);
        int rdlenAt = 12 + TYPE.toString().length() + 2 + 8;
        byte[] big = wire.clone();
        big[rdlenAt] = (byte) 0xff;
        assertTrue(error(big).contains("declares"), error(big));
        assertEquals(m, DnsDecoder.decode(wire));
        // A data of 3 bytes
        byte[] a = concat(header(0, 1), new byte[] { 1, 'h', 0, 0, 1, 0, 1, 0, 0, 0, 120, 0, 3, 1, 2, 3 });
        assertTrue(error(a).contains("must be 4 bytes"), error(a));
        // TXT string longer than the data
        byte[] t = concat(header(0, 1), new byte[] { 1, 'h', 0, 0, 16, 0, 1, 0, 0, 0, 120, 0, 2, 5, 'a' });
        assertTrue(error(t).contains("runs past"), error(t));
        // PTR whose name does not end where the data ends
        byte[] p = concat(header(0, 1), new byte[] { 1, 'h', 0, 0, 12, 0, 1, 0, 0, 0, 120, 0, 4, 1, 'x', 0, 0 });
        assertTrue(error(p).contains("ends at offset"), error(p));
    }

    @Test
    void everyPrefixOfAMessageIsATypedError() throws Exception {
        byte[] wire = DnsEncoder.encode(sample());
        for (int n = 0; n < wire.length; n++) {
            byte[] prefix = java.util.Arrays.copyOf(wire, n);
            assertThrows(DnsMessageException.class, () -> DnsDecoder.decode(prefix), "prefix of " + n + " bytes");
        }
        assertEquals(sample(), DnsDecoder.decode(wire));
    }

    @Test
    void textNamesEscapeDotsAndCheckLimits() {
        DnsName n = DnsName.parse("A\\.B\\\\C._http._tcp.local.");
        assertEquals(List.of("A.B\\C", "_http", "_tcp", "local"), n.labels());
        assertEquals(n, DnsName.parse(n.toString()));
        assertEquals(DnsName.parse("a._HTTP._tcp.LOCAL"), DnsName.parse("A._http._tcp.local"));
        assertThrows(IllegalArgumentException.class, () -> DnsName.of("x".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> DnsName.of("a..b".split("\\.")));
    }
}
