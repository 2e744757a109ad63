/**
 * The contract suite of {@code org.rawsockets.socket}: JUnit 5 tests written against the API only,
 * shipped as socket-api's test-jar so that every implementation re-runs the same suite (as Apache
 * MINA SSHD re-runs one suite per transport).
 *
 * <p>To run it against an implementation: depend on {@code socket-api} with
 * {@code <type>test-jar</type>} in test scope, implement {@link org.rawsockets.socket.contract.SocketServiceFixture},
 * and subclass each {@code *Contract} class ({@code TcpContract}, {@code BackpressureContract},
 * {@code StreamsContract}, {@code ServerContract}, {@code TlsContract}, {@code UdpContract},
 * {@code OptionsContract}, {@code LifecycleContract}) with {@code createFixture()} returning it. A
 * test the implementation knowingly does not meet yet is declared on the runner with
 * {@link org.rawsockets.socket.contract.ImplementationGap} and reported as skipped with the reason.
 *
 * <p>Peers: independent tools where they give the control a test needs ({@code socat} for TCP/UDP
 * echo, file transfer, STDIO-driven half-close and server clients; {@code openssl} to make the
 * test PKI and {@code openssl s_server} for SNI, ALPN and mutual TLS; {@code socat OPENSSL-LISTEN}
 * for TLS bulk), plain JDK sockets where no tool can (backpressure, reset, STARTTLS, exact UDP
 * source ports, multicast senders, many concurrent clients). Tools come from
 * {@code .ci/apt-packages.txt} via {@code bash .ci/setup}; a missing tool fails the test saying so.
 * Everything runs on 127.0.0.1/::1 with ephemeral ports; connect timeouts come from a listener whose
 * backlog is full ({@link org.rawsockets.socket.contract.FullBacklogListener}).
 */
package org.rawsockets.socket.contract;
