package org.rawsockets.ssh;

import java.nio.charset.StandardCharsets;

/**
 * The outcome of a remote command run with {@link SshSession#exec(String, java.time.Duration)}.
 *
 * @param exitStatus the remote exit status; -1 when the server sent none (the command was killed by
 *            a signal: see {@code exitSignal})
 * @param exitSignal the signal name that ended the command (e.g. {@code KILL}), or {@code null}
 * @param stdout standard output, at most {@link SshSession#MAX_COLLECTED_OUTPUT} bytes
 * @param stderr standard error, at most {@link SshSession#MAX_COLLECTED_OUTPUT} bytes
 * @param truncated whether output beyond the limit was dropped (read and discarded)
 */
public record ExecResult(int exitStatus, String exitSignal, byte[] stdout, byte[] stderr, boolean truncated) {

    /** Standard output as UTF-8 text. */
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Standard error as UTF-8 text. */
    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }
}
