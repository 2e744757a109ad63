package org.rawsockets.modbus.internal.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 21): a Modbus RTU-over-TCP response stream (length from the function code,
 * CRC-16) in the fuzzer's pieces, then every frame against every request's response decoder.
 * Oracles in {@link ModbusFuzz#stream}.
 */
class ModbusRtuFuzzTarget {

    @FuzzTest
    void responses(byte[] data) {
        ModbusFuzz.stream(data, StreamDecoder.Framing.RTU, f -> RtuCodec.encode(f.unitId(), f.pdu()));
    }
}
