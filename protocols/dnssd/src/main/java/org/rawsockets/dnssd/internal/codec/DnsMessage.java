package org.rawsockets.dnssd.internal.codec;

import java.util.List;

/**
 * A DNS message: header fields and the four sections. {@code flags} is the 16-bit header word after
 * the id (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE).
 */
public record DnsMessage(int id, int flags, List<DnsQuestion> questions, List<DnsRecord> answers,
        List<DnsRecord> authorities, List<DnsRecord> additionals) {

    public static final int FLAG_RESPONSE = 0x8000;
    public static final int FLAG_AUTHORITATIVE = 0x0400;
    public static final int FLAG_TRUNCATED = 0x0200;

    public DnsMessage {
        DnsRecord.checkU16("id", id);
        DnsRecord.checkU16("flags", flags);
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authorities = List.copyOf(authorities);
        additionals = List.copyOf(additionals);
    }

    /** A multicast query (id 0, RFC 6762 §18.1). */
    public static DnsMessage query(List<DnsQuestion> questions, List<DnsRecord> knownAnswers) {
        return new DnsMessage(0, 0, questions, knownAnswers, List.of(), List.of());
    }

    /** An authoritative response (id 0). */
    public static DnsMessage response(List<DnsRecord> answers, List<DnsRecord> additionals) {
        return new DnsMessage(0, FLAG_RESPONSE | FLAG_AUTHORITATIVE, List.of(), answers, List.of(), additionals);
    }

    public boolean isResponse() {
        return (flags & FLAG_RESPONSE) != 0;
    }

    public boolean isTruncated() {
        return (flags & FLAG_TRUNCATED) != 0;
    }

    public int opcode() {
        return (flags >> 11) & 0xf;
    }

    public int rcode() {
        return flags & 0xf;
    }

    /** Answers, authorities and additionals, in that order. */
    public List<DnsRecord> allRecords() {
        java.util.ArrayList<DnsRecord> all = new java.util.ArrayList<>(answers.size() + authorities.size() + additionals.size());
        all.addAll(answers);
        all.addAll(authorities);
        all.addAll(additionals);
        return all;
    }
}
