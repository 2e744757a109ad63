package org.rawsockets.modbus.internal.codec;

import java.nio.ByteBuffer;

import org.rawsockets.socket.fuzz.FuzzInput;
import org.rawsockets.socket.fuzz.FuzzOracle;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21): a Modbus/UDP response datagram (one MBAP ADU, nothing after it). Oracles:
 * {@link MbapCodec#decodeDatagram} returns a frame or a reason, never throws, never reads past the
 * datagram (a read-only buffer ending at it); a frame re-encodes to the datagram exactly; its PDU
 * decodes against every request with only typed errors; allocation bounded.
 */
class ModbusUdpFuzzTarget {

    @FuzzTest
    void responses(byte[] data) {
        byte[] p = FuzzInput.of(data).payload();
        ByteBuffer[] datagram = new ByteBuffer[1];
        FrameResult r = FuzzOracle.allocation(data, 4L * p.length + 4096, "MbapCodec.decodeDatagram", () -> {
            datagram[0] = ByteBuffer.wrap(p).slice().asReadOnlyBuffer();
            return FuzzOracle.onlyTyped(data, () -> MbapCodec.decodeDatagram(datagram[0]));
        });
        if (r instanceof FrameResult.Frame f) {
            FuzzOracle.reencodes(data, p, MbapCodec.encode(f.transactionId(), f.unitId(), f.pdu()), "the datagram");
            if (datagram[0].hasRemaining()) {
                throw new AssertionError("a valid datagram was not consumed: " + FuzzOracle.hex(data));
            }
            ModbusFuzz.decodeResponses(data, f.pdu());
        } else if (r instanceof FrameResult.NeedMore) {
            throw new AssertionError("a datagram cannot need more bytes: " + FuzzOracle.hex(data));
        }
    }
}
