package org.rawsockets.socket.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The test peers' temporary folders (configuration, logs, D-Bus sockets in {@code /tmp}): deleted
 * when the peer closes, so a CI run leaves nothing behind.
 */
public final class TempDirs {

    private TempDirs() {
    }

    /**
     * Deletes {@code dir} and everything in it, deepest first; a folder already gone (a peer closed
     * twice) or {@code null} is fine, and a file that cannot be deleted is left (best effort: a
     * leftover in /tmp must not fail the test that made it).
     */
    public static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // gone already, or a file vanished while walking (its owner removed it)
        }
    }
}
