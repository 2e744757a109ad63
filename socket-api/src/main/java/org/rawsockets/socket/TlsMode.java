package org.rawsockets.socket;

/** Whether and when a TCP socket speaks TLS. */
public enum TlsMode {
    /** Plain TCP; {@link TcpSocket#startTls()} is refused. */
    OFF,
    /** TLS from the first byte (implicit TLS); {@code opened()} completes after the handshake. */
    ON,
    /** Plain TCP first; the protocol upgrades it with {@link TcpSocket#startTls()}. */
    STARTTLS
}
