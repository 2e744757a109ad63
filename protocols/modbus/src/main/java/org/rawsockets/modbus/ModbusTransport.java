package org.rawsockets.modbus;

/** How Modbus frames travel to a device. */
public enum ModbusTransport {
    /** Modbus/TCP: MBAP header with transaction id; requests are pipelined. Default port 502. */
    TCP,
    /**
     * RTU frames (unit id, PDU, CRC-16) over a TCP stream, as spoken by serial gateways. RTU has no
     * transaction id, so one request is in flight at a time.
     */
    RTU_OVER_TCP,
    /** MBAP frames in UDP datagrams, one ADU per datagram. */
    UDP
}
