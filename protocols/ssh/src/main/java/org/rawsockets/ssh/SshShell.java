package org.rawsockets.ssh;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An interactive shell on a pseudo-terminal, from {@link SshSession#shell(String, int, int)}. What is
 * written to {@link #input()} is typed into the terminal; {@link #output()} is what the terminal shows
 * (stdout and stderr together, as on a real terminal). Both are blocking streams with bounded buffers:
 * while nobody reads {@link #output()} the channel window is not opened again and the server stops.
 */
@ProviderType
public interface SshShell extends AutoCloseable {

    /** Keystrokes to the remote terminal ({@code \n} is Enter; {@code 0x03} is Ctrl-C, {@code 0x04} Ctrl-D). */
    OutputStream input();

    /** What the remote terminal prints; ends when the shell exits. */
    InputStream output();

    /** Tells the remote terminal its new size ({@code window-change}: the shell gets SIGWINCH). */
    void resize(int columns, int rows) throws SshException;

    /** Completes with the shell's exit status (-1 when it was ended by a signal or the channel closed without one). */
    CompletionStage<Integer> exited();

    /** Closes the channel (the remote shell gets SIGHUP). Idempotent, does not block. */
    @Override
    void close();
}
