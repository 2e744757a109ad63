package org.rawsockets.print;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A document to print, streamed: it is read once, in chunks, never held whole in memory.
 *
 * @param name the document's name (file name)
 * @param length its length in bytes, or -1 when unknown (LPD needs it: an unknown length is spooled
 *        to a temporary file first)
 * @param opener opens the stream; called once per transfer
 */
public record Document(String name, long length, Opener opener) {

    /** Opens the document's bytes. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    public static Document of(Path file) throws IOException {
        return new Document(file.getFileName().toString(), Files.size(file), () -> Files.newInputStream(file));
    }

    public static Document of(String name, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new Document(name, copy.length, () -> new java.io.ByteArrayInputStream(copy));
    }
}
