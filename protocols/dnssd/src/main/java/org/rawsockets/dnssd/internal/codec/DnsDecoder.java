package org.rawsockets.dnssd.internal.codec;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.rawsockets.dnssd.DnsMessageException;

/**
 * Decodes one DNS message (RFC 1035 §4, with the mDNS meaning of the class's top bit). Transport-free
 * and bounded by the input: nothing is allocated beyond what the bytes hold, a compression pointer
 * must point backwards (before the run of labels it sits in), so loops cannot exist, and every
 * name's wire length is checked against 255. Any violation is a {@link DnsMessageException} naming
 * the offset and the rule.
 */
public final class DnsDecoder {

    /** Minimal wire sizes, to refuse impossible section counts before reading them. */
    private static final int MIN_QUESTION = 5;
    private static final int MIN_RECORD = 11;

    private final byte[] b;
    private int pos;

    private DnsDecoder(byte[] b) {
        this.b = b;
    }

    public static DnsMessage decode(byte[] message) throws DnsMessageException {
        return new DnsDecoder(message).message();
    }

    /** Decodes the remaining bytes of {@code buf} (its position is not moved). */
    public static DnsMessage decode(ByteBuffer buf) throws DnsMessageException {
        ByteBuffer d = buf.duplicate();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        return decode(a);
    }

    private DnsMessage message() throws DnsMessageException {
        if (b.length < 12) {
            throw error(0, "a DNS message has a 12-byte header, only " + b.length + " bytes arrived");
        }
        int id = u16();
        int flags = u16();
        int qd = u16();
        int an = u16();
        int ns = u16();
        int ar = u16();
        long need = (long) qd * MIN_QUESTION + (long) (an + ns + ar) * MIN_RECORD;
        if (need > b.length - 12) {
            throw error(4, "the header announces " + qd + " questions and " + (an + ns + ar) + " records, which need at"
                    + " least " + need + " bytes, but " + (b.length - 12) + " follow the header");
        }
        List<DnsQuestion> questions = new ArrayList<>();
        for (int i = 0; i < qd; i++) {
            int at = pos;
            DnsName name = name();
            need(4, at, "question");
            int type = u16();
            int cls = u16();
            questions.add(new DnsQuestion(name, type, cls & 0x7fff, (cls & 0x8000) != 0));
        }
        List<DnsRecord> answers = records(an, "answer");
        List<DnsRecord> authorities = records(ns, "authority");
        List<DnsRecord> additionals = records(ar, "additional");
        return new DnsMessage(id, flags, questions, answers, authorities, additionals);
    }

    private List<DnsRecord> records(int count, String section) throws DnsMessageException {
        List<DnsRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(record(section + " record " + (i + 1)));
        }
        return out;
    }

    private DnsRecord record(String what) throws DnsMessageException {
        int at = pos;
        DnsName name = name();
        need(10, at, what);
        int type = u16();
        int cls = u16();
        long ttl = u32();
        int len = u16();
        int start = pos;
        if (len > b.length - start) {
            throw error(start - 2, what + " (" + RecordType.name(type) + " " + name + ") declares " + len
                    + " bytes of data but only " + (b.length - start) + " remain");
        }
        int end = start + len;
        DnsRecord.Data data;
        try {
            data = data(type, start, end, what);
        } catch (IllegalArgumentException e) {
            throw error(start, what + " (" + RecordType.name(type) + " " + name + "): " + e.getMessage());
        }
        pos = end;
        return new DnsRecord(name, type, cls & 0x7fff, (cls & 0x8000) != 0, ttl, data);
    }

    private DnsRecord.Data data(int type, int start, int end, String what) throws DnsMessageException {
        int len = end - start;
        switch (type) {
            case RecordType.A, RecordType.AAAA -> {
                int want = type == RecordType.A ? 4 : 16;
                if (len != want) {
                    throw error(start, what + ": " + RecordType.name(type) + " data must be " + want + " bytes, was " + len);
                }
                byte[] a = java.util.Arrays.copyOfRange(b, start, end);
                return type == RecordType.A ? new DnsRecord.A((Inet4Address) DnsRecord.address(a))
                        : new DnsRecord.Aaaa(ipv6(a));
            }
            case RecordType.PTR -> {
                DnsName target = name();
                exact(end, what);
                return new DnsRecord.Ptr(target);
            }
            case RecordType.SRV -> {
                if (len < 7) {
                    throw error(start, what + ": SRV data needs at least 7 bytes, was " + len);
                }
                int prio = u16();
                int weight = u16();
                int port = u16();
                DnsName target = name();
                exact(end, what);
                return new DnsRecord.Srv(prio, weight, port, target);
            }
            case RecordType.TXT -> {
                List<byte[]> strings = new ArrayList<>();
                while (pos < end) {
                    int n = b[pos++] & 0xff;
                    if (n > end - pos) {
                        throw error(pos - 1, what + ": TXT string of " + n + " bytes runs past the record's data ("
                                + (end - pos) + " left)");
                    }
                    strings.add(java.util.Arrays.copyOfRange(b, pos, pos + n));
                    pos += n;
                }
                return new DnsRecord.Txt(strings);
            }
            case RecordType.NSEC -> {
                DnsName next = name();
                if (pos > end) {
                    throw error(start, what + ": NSEC next name runs past the record's data");
                }
                TreeSet<Integer> types = new TreeSet<>();
                int lastWindow = -1;
                while (pos < end) {
                    if (end - pos < 2) {
                        throw error(pos, what + ": NSEC type bitmap window header truncated");
                    }
                    int window = b[pos] & 0xff;
                    int n = b[pos + 1] & 0xff;
                    if (window <= lastWindow || n < 1 || n > 32 || n > end - pos - 2) {
                        throw error(pos, what + ": NSEC bitmap window " + window + " of " + n + " bytes is invalid"
                                + " (windows ascend, 1..32 bytes, within the data)");
                    }
                    lastWindow = window;
                    for (int i = 0; i < n; i++) {
                        int bits = b[pos + 2 + i] & 0xff;
                        for (int bit = 0; bit < 8; bit++) {
                            if ((bits & (0x80 >> bit)) != 0) {
                                types.add(window * 256 + i * 8 + bit);
                            }
                        }
                    }
                    pos += 2 + n;
                }
                return new DnsRecord.Nsec(next, types);
            }
            default -> {
                return new DnsRecord.Unknown(java.util.Arrays.copyOfRange(b, start, end));
            }
        }
    }

    private static Inet6Address ipv6(byte[] a) {
        try {
            return Inet6Address.getByAddress(null, a, -1);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes", e);
        }
    }

    private void exact(int end, String what) throws DnsMessageException {
        if (pos != end) {
            throw error(pos, what + ": the name in the record's data ends at offset " + pos + ", the data at " + end);
        }
    }

    /**
     * Reads a name at {@code pos}, following compression pointers; {@code pos} ends after the name's
     * in-line part.
     */
    private DnsName name() throws DnsMessageException {
        int start = pos;
        int p = pos;
        int runStart = pos; // a pointer must point before the run of labels it sits in
        int after = -1;
        int wire = 1;
        List<String> labels = new ArrayList<>();
        while (true) {
            if (p >= b.length) {
                throw error(start, "name at offset " + start + " runs past the end of the message");
            }
            int len = b[p] & 0xff;
            if (len == 0) {
                if (after < 0) {
                    after = p + 1;
                }
                break;
            }
            int kind = len & 0xc0;
            if (kind == 0xc0) {
                if (p + 1 >= b.length) {
                    throw error(p, "compression pointer at offset " + p + " is truncated");
                }
                int target = ((len & 0x3f) << 8) | (b[p + 1] & 0xff);
                if (after < 0) {
                    after = p + 2;
                }
                if (target >= b.length) {
                    throw error(p, "compression pointer at offset " + p + " points to " + target
                            + ", outside the message (" + b.length + " bytes)");
                }
                if (target >= runStart) {
                    throw error(p, "compression pointer at offset " + p + " points to " + target + ", not before"
                            + " the labels it continues (offset " + runStart + "): a pointer loop");
                }
                p = target;
                runStart = target;
                continue;
            }
            if (kind != 0) {
                throw error(p, "label at offset " + p + " has the reserved type bits " + Integer.toBinaryString(kind >> 6));
            }
            if (p + 1 + len > b.length) {
                throw error(p, "label of " + len + " bytes at offset " + p + " runs past the end of the message");
            }
            wire += len + 1;
            if (wire > DnsName.MAX_NAME) {
                throw error(start, "name at offset " + start + " is longer than " + DnsName.MAX_NAME + " bytes");
            }
            labels.add(utf8(p + 1, len));
            p += 1 + len;
        }
        pos = after;
        try {
            return DnsName.of(labels);
        } catch (IllegalArgumentException e) {
            throw error(start, "name at offset " + start + ": " + e.getMessage());
        }
    }

    private String utf8(int off, int len) throws DnsMessageException {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer c = d.decode(ByteBuffer.wrap(b, off, len));
            return c.toString();
        } catch (CharacterCodingException e) {
            throw error(off - 1, "label at offset " + (off - 1) + " is not UTF-8 (RFC 6762 §16)");
        }
    }

    private void need(int n, int at, String what) throws DnsMessageException {
        if (b.length - pos < n) {
            throw error(at, what + " at offset " + at + " is truncated: needs " + n + " more bytes after its name, "
                    + (b.length - pos) + " remain");
        }
    }

    private int u16() {
        int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    private long u32() {
        long v = ((long) (b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    private static DnsMessageException error(int offset, String message) {
        return new DnsMessageException("malformed DNS message at offset " + offset + ": " + message);
    }
}
