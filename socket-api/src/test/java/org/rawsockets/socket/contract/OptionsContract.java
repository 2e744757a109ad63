package org.rawsockets.socket.contract;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.rawsockets.socket.TcpServerSocketOptions;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.UdpMessage;
import org.rawsockets.socket.UdpSocketOptions;

/**
 * Invalid options fail synchronously with an {@link IllegalArgumentException} whose message names
 * the option, and nothing is opened.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class OptionsContract extends ContractSupport {

    private static void rejects(String option, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call,
                "expected IllegalArgumentException for " + option);
        assertTrue(e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT)
                .contains(option.toLowerCase(Locale.ROOT)), "message names '" + option + "': " + e.getMessage());
    }

    @Test
    void tcpPortAndHost() {
        rejects("port", () -> service.openTcp("127.0.0.1", 0));
        rejects("port", () -> service.openTcp("127.0.0.1", 65536));
        rejects("port", () -> service.openTcp("127.0.0.1", -1));
        rejects("address", () -> service.openTcp("", 80));
        rejects("address", () -> service.openTcp("   ", 80));
        rejects("address", () -> service.openTcp("bad host", 80));
        assertTrue(service.sockets().isEmpty(), "nothing opened by invalid calls: " + service.sockets());
    }

    @Test
    void tcpOptions() {
        rejects("keepAliveDelay", () -> TcpSocketOptions.builder().keepAliveDelay(Duration.ofMillis(999)));
        rejects("sendBufferSize", () -> TcpSocketOptions.builder().sendBufferSize(0));
        rejects("sendBufferSize", () -> TcpSocketOptions.builder().sendBufferSize(-5));
        rejects("receiveBufferSize", () -> TcpSocketOptions.builder().receiveBufferSize(0));
        rejects("connectTimeout", () -> TcpSocketOptions.builder().connectTimeout(Duration.ZERO));
        rejects("closeTimeout", () -> TcpSocketOptions.builder().closeTimeout(Duration.ZERO));
        rejects("closeTimeout", () -> TcpSocketOptions.builder().closeTimeout(Duration.ofMillis(-1)));
        rejects("serverName", () -> org.rawsockets.socket.TlsOptions.builder().serverName(" "));
        rejects("alpn", () -> org.rawsockets.socket.TlsOptions.builder().alpnProtocols(""));
        rejects("clientCertificate", () -> org.rawsockets.socket.TlsOptions.builder().clientCertificate("x", null));
    }

    @Test
    void udpOptions() {
        rejects("remote", () -> UdpSocketOptions.builder().build());
        rejects("remote", () -> UdpSocketOptions.builder().remote("127.0.0.1", 9).local("127.0.0.1", 0).build());
        rejects("remotePort", () -> UdpSocketOptions.connected("127.0.0.1", 0));
        rejects("localPort", () -> UdpSocketOptions.bound("127.0.0.1", 65536));
        rejects("multicastTimeToLive", () -> UdpSocketOptions.builder().multicastTimeToLive(-1));
        rejects("multicastTimeToLive", () -> UdpSocketOptions.builder().multicastTimeToLive(256));
        rejects("sendBufferSize", () -> UdpSocketOptions.builder().sendBufferSize(0));
        rejects("remotePort", () -> new UdpMessage(java.nio.ByteBuffer.allocate(1), null, 53, null));
    }

    @Test
    void serverOptions() {
        rejects("backlog", () -> TcpServerSocketOptions.builder().backlog(0));
        rejects("localPort", () -> TcpServerSocketOptions.of("127.0.0.1", 65536));
        rejects("localAddress", () -> TcpServerSocketOptions.builder().build());
        rejects("localAddress", () -> TcpServerSocketOptions.of(" ", 0));
    }

    @Test
    void unknownEndpointNamesIt() {
        rejects("no-such-endpoint", () -> service.openTcpEndpoint("no-such-endpoint", TcpSocketOptions.defaults()));
        rejects("no-such-endpoint",
                () -> service.openUdpEndpoint("no-such-endpoint", UdpSocketOptions.bound("127.0.0.1", 0)));
    }
}
