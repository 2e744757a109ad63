package org.rawsockets.ssh;

import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

import org.apache.sshd.client.session.ClientSession;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An authenticated SSH connection. Operations run asynchronously and complete their stages with
 * the result or an {@link SshException}; several may run at once (one channel each).
 */
@ProviderType
public interface SshSession extends AutoCloseable {

    /** The most {@link #exec(String, Duration)} collects of each of stdout and stderr (1 MiB); the rest is read and dropped. */
    int MAX_COLLECTED_OUTPUT = 1024 * 1024;

    /** {@code user@host:port} this session is connected to. */
    String target();

    /** The server's host key fingerprint, {@code SHA256:...} as OpenSSH prints it. */
    String serverKeyFingerprint();

    /**
     * Runs {@code command} and collects its output (at most {@link #MAX_COLLECTED_OUTPUT} bytes of
     * each stream).
     *
     * @param timeout the limit for the whole command; at the limit the channel is closed and the
     *            stage fails with {@link SshException.Reason#TIMEOUT}
     */
    CompletionStage<ExecResult> exec(String command, Duration timeout);

    /**
     * Runs {@code command} and streams its stdout and stderr into the given streams (written from a
     * thread of this bundle, never an I/O thread). Backpressure: while a stream's {@code write}
     * blocks, the channel's window is not opened again and the server stops sending.
     *
     * @return the remote exit status (-1 when the command was ended by a signal)
     */
    CompletionStage<Integer> exec(String command, OutputStream stdout, OutputStream stderr, Duration timeout);

    /**
     * Starts a local port forward ({@code ssh -L bindAddress:bindPort:targetHost:targetPort}): the
     * gateway listens through this bundle's socket service ({@code listenTcp}, so the socket policy
     * decides what may be exposed and quotas count each connection), and each accepted connection is
     * carried in a {@code direct-tcpip} channel to {@code targetHost:targetPort}, which the server
     * resolves and connects to.
     *
     * @param bindAddress an IP literal of the gateway ({@code 127.0.0.1} keeps it local)
     * @param bindPort the port, 0 for one the system chooses ({@link PortForward#listenPort()})
     * @return fails with {@link SshException.Reason#NOT_ALLOWED} when the policy refuses the listener,
     *         {@link SshException.Reason#FORWARD} when it cannot listen
     */
    CompletionStage<PortForward> forwardLocal(String bindAddress, int bindPort, String targetHost, int targetPort);

    /**
     * Starts a remote port forward ({@code ssh -R bindAddress:bindPort:targetHost:targetPort}): the
     * server listens, and each connection it forwards is connected by the gateway to
     * {@code targetHost:targetPort} through this bundle's socket service (policy checked per connection;
     * a refused one closes that channel).
     *
     * @param bindAddress the server's address to listen on as the server understands it
     *            ({@code localhost}, an IP, or {@code ""} for all where its {@code GatewayPorts} allows)
     * @param bindPort the port, 0 for one the server chooses ({@link PortForward#listenPort()})
     * @return fails with {@link SshException.Reason#FORWARD} when the server refuses (its
     *         {@code AllowTcpForwarding}, {@code PermitListen}, a port in use)
     */
    CompletionStage<PortForward> forwardRemote(String bindAddress, int bindPort, String targetHost, int targetPort);

    /**
     * Opens an interactive shell on a pseudo-terminal ({@code pty-req} with {@code term} and the size,
     * then {@code shell}).
     *
     * @param term the terminal type ({@code xterm}, {@code vt100}...)
     * @return fails with {@link SshException.Reason#CHANNEL} when the server refuses the terminal or the shell
     */
    CompletionStage<SshShell> shell(String term, int columns, int rows);

    /** The forwards of this session that are still open. */
    java.util.List<PortForward> forwards();

    /** SFTP on this session (one SFTP channel, opened at the first call and shared). */
    SftpFiles sftp();

    /**
     * The underlying Apache MINA SSHD session, for what this API does not cover (other channel types,
     * port forwarding, subsystems). Its connection runs on this bundle's socket service like every
     * other. Closing it closes this session.
     */
    ClientSession clientSession();

    /** Whether the connection is still open. */
    boolean isOpen();

    /** Closes the session and its channels (bounded in time). Idempotent. */
    @Override
    void close();
}
