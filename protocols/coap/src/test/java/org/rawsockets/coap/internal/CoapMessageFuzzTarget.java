package org.rawsockets.coap.internal;

import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.MessageFormatException;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21) of the CoAP message decoding this bundle uses: Eclipse Californium's
 * {@link UdpDataParser} (embedded privately) on one datagram, as its connector on the socket service
 * hands it. Oracles: only Californium's typed {@link MessageFormatException} escapes; allocation
 * bounded by the input; a decoded message serializes ({@link UdpDataSerializer}) to bytes that parse
 * and serialize to the same bytes.
 */
class CoapMessageFuzzTarget {

    @FuzzTest
    void messages(byte[] data) {
        byte[] p = FuzzInput.of(data).payload();
        Message m = FuzzOracle.allocation(data, 256L * p.length + 4096, "UdpDataParser.parseMessage",
                () -> FuzzOracle.onlyTyped(data, () -> new UdpDataParser().parseMessage(p), MessageFormatException.class));
        if (m == null) {
            return;
        }
        byte[] once = new UdpDataSerializer().getByteArray(m);
        Message again = FuzzOracle.onlyTyped(data, () -> new UdpDataParser().parseMessage(once));
        FuzzOracle.reencodes(data, once, new UdpDataSerializer().getByteArray(again), "the serialized message");
    }
}
