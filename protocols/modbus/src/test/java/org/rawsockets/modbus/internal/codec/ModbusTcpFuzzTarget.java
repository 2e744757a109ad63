package org.rawsockets.modbus.internal.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21): a Modbus/TCP response stream (MBAP framing) in the fuzzer's pieces, then
 * every frame against every request's response decoder. Oracles in {@link ModbusFuzz#stream}.
 */
class ModbusTcpFuzzTarget {

    @FuzzTest
    void responses(byte[] data) {
        ModbusFuzz.stream(data, StreamDecoder.Framing.MBAP,
                f -> MbapCodec.encode(f.transactionId(), f.unitId(), f.pdu()));
    }
}
