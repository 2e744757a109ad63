package org.rawsockets.dnssd.internal.codec;

import java.nio.ByteBuffer;

import org.rawsockets.dnssd.DnsMessageException;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of the DNS message decoder ({@link DnsDecoder}: names with compression,
 * PTR/SRV/TXT/A/AAAA/NSEC and raw records) on one datagram. Oracles: only
 * {@link DnsMessageException} escapes; nothing is read beyond the datagram (a read-only buffer that
 * ends at it, followed in memory by sentinel bytes); allocation bounded by the input (names expand
 * through pointers, at most 255 bytes each); a decoded message encodes ({@link DnsEncoder}) to bytes
 * that decode to the same message and encode to the same bytes.
 */
class DnsMessageFuzzTarget {

    @FuzzTest
    void messages(byte[] data) {
        byte[] p = FuzzInput.of(data).payload();
        byte[] memory = FuzzOracle.withSentinel(p);
        DnsMessage m = FuzzOracle.allocation(data, 4096L * p.length + 4096, "DnsDecoder.decode",
                () -> FuzzOracle.onlyTyped(data,
                        () -> DnsDecoder.decode(ByteBuffer.wrap(memory, 0, p.length).slice().asReadOnlyBuffer()),
                        DnsMessageException.class));
        FuzzOracle.sentinelIntact(data, memory);
        if (m == null) {
            return;
        }
        byte[] once = DnsEncoder.encode(m);
        DnsMessage again = FuzzOracle.onlyTyped(data, () -> DnsDecoder.decode(once));
        if (!m.equals(again)) {
            throw new AssertionError("message " + m + " encodes to " + FuzzOracle.hex(once) + " which decodes to "
                    + again + " (input " + FuzzOracle.hex(data) + ")");
        }
        FuzzOracle.reencodes(data, once, DnsEncoder.encode(again), "the encoded message");
    }
}
