package org.rawsockets.socket.netfault;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short helper program of a test ({@code ip}, {@code iptables}, {@code ssh-keygen}, ...) and
 * returns its output. The output goes to a file and is read after the wait, so the time limit holds
 * even when the program hangs with its output open (reading a pipe first would wait for that
 * first). Standard input is {@code /dev/null}.
 */
public final class Programs {

    private Programs() {
    }

    /**
     * @return the program's output (stdout and stderr together)
     * @throws IOException the program did not end within {@code limit} (it is killed) or exited
     *             with a non-zero status; the message has the command and its output
     */
    public static String run(Duration limit, String... command) throws IOException, InterruptedException {
        return run(limit, List.of(command));
    }

    /** As {@link #run(Duration, String...)}. */
    public static String run(Duration limit, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("program", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(out.toFile())
                    .start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end within " + limit.toSeconds() + " s: "
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
