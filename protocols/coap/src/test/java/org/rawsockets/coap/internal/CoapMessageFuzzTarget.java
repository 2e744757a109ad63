package org.rawsockets.coap.internal;

import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.rawsockets.coap.CoapProtocolException;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of the CoAP message decoding this bundle uses: {@link Datagrams#decode} — the
 * header checks, then Eclipse Californium's {@link UdpDataParser} (embedded privately) — on one
 * datagram, as its connectors on the socket service hand it. Oracles: only the bundle's typed
 * {@link CoapProtocolException} escapes; allocation bounded by the input; a decoded message serializes
 * ({@link UdpDataSerializer}) to bytes that decode and serialize to the same bytes. (It fuzzed the bare
 * parser before, whose untyped IllegalStateException for an Empty message with a payload the bundle's
 * decoder already refuses: the 30-minute run found that within 202 executions; the input is kept.)
 */
class CoapMessageFuzzTarget {

    @FuzzTest
    void messages(byte[] data) {
        byte[] p = FuzzInput.of(data).payload();
        Message m = FuzzOracle.allocation(data, 256L * p.length + 4096, "UdpDataParser.parseMessage",
                () -> FuzzOracle.onlyTyped(data, () -> Datagrams.decode(p), CoapProtocolException.class));
        if (m == null) {
            return;
        }
        byte[] once;
        try {
            once = new UdpDataSerializer().getByteArray(m);
        } catch (IllegalArgumentException californiumLimit) {
            // Californium reads a 4-byte uint option (Size1/Size2) of 2^31 or more into a negative int and
            // then refuses to serialize it as 8 bytes; the bundle never serializes a received message, so
            // the decode above (typed errors only) is what counts here
            return;
        }
        Message again = FuzzOracle.onlyTyped(data, () -> Datagrams.decode(once));
        FuzzOracle.reencodes(data, once, new UdpDataSerializer().getByteArray(again), "the serialized message");
    }
}
