/**
 * SSH client on Apache MINA SSHD whose every byte goes through the bundle's
 * {@link org.rawsockets.socket.SocketService}: the socket policy checks each connection before any
 * packet leaves, quotas count it, and stopping the bundle closes it.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * try (SshConnector ssh = SshConnector.start(sockets)) {
 *     SshSession s = ssh.connect(SshSettings.builder().host("10.0.0.7").user("admin")
 *             .keyFile(Path.of("id_ed25519")).knownHosts(Path.of("known_hosts")).build())
 *             .toCompletableFuture().join();
 *     ExecResult r = s.exec("uptime", Duration.ofSeconds(10)).toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <h2>Failures</h2>
 * Every stage fails with an {@link org.rawsockets.ssh.SshException} whose one-line message says what
 * failed where and what to check, and whose {@link org.rawsockets.ssh.SshException#reason()} tells
 * the kind: policy refusal, network, time limit, not an SSH server, unknown or changed host key (with
 * the key's SHA256 fingerprint), authentication refused (with the methods the server accepts), key
 * file unreadable, disconnected.
 *
 * <h2>Beyond this API</h2>
 * {@link org.rawsockets.ssh.SshSession#clientSession()} gives the Apache MINA SSHD
 * {@code ClientSession} (packages {@code org.apache.sshd.*}, imported from the {@code sshd-osgi}
 * bundle) for channels this API does not offer; its traffic runs on the same socket.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.rawsockets.ssh;
