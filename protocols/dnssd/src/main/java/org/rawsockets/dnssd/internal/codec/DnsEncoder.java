package org.rawsockets.dnssd.internal.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes DNS messages with name compression (owner names and the names inside PTR data; SRV
 * targets and NSEC next names are written in full, which every decoder accepts). Queries with many
 * known answers are split as RFC 6762 §7.2 says: the first packet holds the questions, every packet
 * but the last has the TC bit, the later ones hold known answers only.
 */
public final class DnsEncoder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    private final Map<String, Integer> offsets = new HashMap<>();

    private DnsEncoder() {
    }

    public static byte[] encode(DnsMessage m) {
        DnsEncoder e = new DnsEncoder();
        e.header(m.id(), m.flags(), m.questions().size(), m.answers().size(), m.authorities().size(),
                m.additionals().size());
        for (DnsQuestion q : m.questions()) {
            e.question(q);
        }
        for (List<DnsRecord> section : List.of(m.answers(), m.authorities(), m.additionals())) {
            for (DnsRecord r : section) {
                e.record(r);
            }
        }
        return e.out.toByteArray();
    }

    /**
     * A query as packets of at most {@code maxSize} bytes: the questions and as many known answers
     * as fit in the first, the rest in TC-continued packets.
     *
     * @throws IllegalArgumentException when the questions alone, or one known answer, do not fit
     */
    public static List<byte[]> encodeQuery(List<DnsQuestion> questions, List<DnsRecord> knownAnswers, int maxSize) {
        List<byte[]> packets = new ArrayList<>();
        List<DnsRecord> pending = new ArrayList<>();
        List<DnsQuestion> qs = questions;
        int i = 0;
        while (true) {
            byte[] fit = encode(DnsMessage.query(qs, pending));
            if (fit.length > maxSize) {
                throw new IllegalArgumentException("the questions " + qs + " need " + fit.length + " bytes, more than"
                        + " the " + maxSize + " a packet may have");
            }
            while (i < knownAnswers.size()) {
                pending.add(knownAnswers.get(i));
                byte[] next = encode(DnsMessage.query(qs, pending));
                if (next.length > maxSize) {
                    pending.remove(pending.size() - 1);
                    if (pending.isEmpty() && qs.isEmpty()) {
                        throw new IllegalArgumentException("known answer " + knownAnswers.get(i) + " alone needs "
                                + next.length + " bytes, more than the " + maxSize + " a packet may have");
                    }
                    break;
                }
                fit = next;
                i++;
            }
            if (i >= knownAnswers.size()) {
                packets.add(fit);
                return packets;
            }
            packets.add(encode(new DnsMessage(0, DnsMessage.FLAG_TRUNCATED, qs, pending, List.of(), List.of())));
            pending = new ArrayList<>();
            qs = List.of();
        }
    }

    private void header(int id, int flags, int qd, int an, int ns, int ar) {
        u16(id);
        u16(flags);
        u16(qd);
        u16(an);
        u16(ns);
        u16(ar);
    }

    private void question(DnsQuestion q) {
        name(q.name(), true);
        u16(q.type());
        u16(q.dnsClass() | (q.unicastResponse() ? 0x8000 : 0));
    }

    private void record(DnsRecord r) {
        name(r.name(), true);
        u16(r.type());
        u16(r.dnsClass() | (r.cacheFlush() ? 0x8000 : 0));
        u32(r.ttl());
        int lenAt = out.size();
        u16(0);
        int start = out.size();
        DnsRecord.Data d = r.data();
        if (d instanceof DnsRecord.Ptr p) {
            name(p.target(), true);
        } else if (d instanceof DnsRecord.Srv s) {
            u16(s.priority());
            u16(s.weight());
            u16(s.port());
            name(s.target(), false);
        } else if (d instanceof DnsRecord.Txt t) {
            for (byte[] s : t.strings()) {
                out.write(s.length);
                out.writeBytes(s);
            }
        } else if (d instanceof DnsRecord.A a) {
            out.writeBytes(a.address().getAddress());
        } else if (d instanceof DnsRecord.Aaaa a) {
            out.writeBytes(a.address().getAddress());
        } else if (d instanceof DnsRecord.Nsec n) {
            name(n.next(), false);
            nsecBitmap(n.types());
        } else if (d instanceof DnsRecord.Unknown u) {
            out.writeBytes(u.bytes());
        }
        int len = out.size() - start;
        if (len > 0xffff) {
            throw new IllegalArgumentException("record " + r.name() + " has " + len + " bytes of data, at most 65535");
        }
        byte[] patched = out.toByteArray();
        patched[lenAt] = (byte) (len >> 8);
        patched[lenAt + 1] = (byte) len;
        out.reset();
        out.writeBytes(patched);
    }

    private void nsecBitmap(java.util.SortedSet<Integer> types) {
        int window = -1;
        byte[] bits = null;
        int used = 0;
        for (int t : types) {
            int w = t >> 8;
            if (w != window) {
                if (bits != null) {
                    window(window, bits, used);
                }
                window = w;
                bits = new byte[32];
                used = 0;
            }
            int low = t & 0xff;
            bits[low >> 3] |= (byte) (0x80 >> (low & 7));
            used = Math.max(used, (low >> 3) + 1);
        }
        if (bits != null) {
            window(window, bits, used);
        }
    }

    private void window(int w, byte[] bits, int used) {
        out.write(w);
        out.write(used);
        out.write(bits, 0, used);
    }

    private void name(DnsName name, boolean compress) {
        List<String> labels = name.labels();
        for (int i = 0; i < labels.size(); i++) {
            String suffix = name.suffix(i).key();
            Integer at = compress ? offsets.get(suffix) : null;
            if (at != null) {
                u16(0xc000 | at);
                return;
            }
            if (out.size() < 0x3fff) {
                offsets.putIfAbsent(suffix, out.size());
            }
            byte[] l = labels.get(i).getBytes(StandardCharsets.UTF_8);
            out.write(l.length);
            out.writeBytes(l);
        }
        out.write(0);
    }

    private void u16(int v) {
        out.write(v >> 8);
        out.write(v);
    }

    private void u32(long v) {
        u16((int) (v >>> 16) & 0xffff);
        u16((int) v & 0xffff);
    }
}
