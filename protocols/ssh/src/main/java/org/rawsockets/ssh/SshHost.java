package org.rawsockets.ssh;

import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A configured SSH server (one per factory configuration {@code org.rawsockets.ssh.host}), registered
 * as a service with property {@code name}.
 *
 * <pre>{@code
 * @Reference(target = "(name=router)") SshHost router;
 * router.exec("uptime", Duration.ofSeconds(10)).thenAccept(r -> log.info(r.stdoutText()));
 * router.connect().thenCompose(s -> s.sftp().get("/var/log/messages", Path.of("messages"), true, TransferProgress.NONE)
 *         .whenComplete((r, e) -> s.close()));
 * }</pre>
 */
@ProviderType
public interface SshHost {

    /** The configured name (the service property {@code name}). */
    String name();

    /** The settings from the configuration (the password and passphrase are read from their secret files at each connect). */
    SshSettings settings();

    /** Opens an authenticated session; the caller closes it. */
    CompletionStage<SshSession> connect();

    /** Connects, runs {@code command} collecting its output, disconnects. */
    CompletionStage<ExecResult> exec(String command, Duration timeout);

    /** Connects, runs {@code command} streaming its output, disconnects; completes with the exit status. */
    CompletionStage<Integer> exec(String command, OutputStream stdout, OutputStream stderr, Duration timeout);
}
