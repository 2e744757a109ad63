package org.rawsockets.smtp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The RFC 5322 message (headers and body) to send, read as a stream while it is sent; never loaded
 * whole. Line endings may be CRLF or bare LF (sent as CRLF); the client adds dot-stuffing.
 */
public interface MessageSource {

    /** Opens the message bytes; the client closes the stream. Called once per send attempt. */
    InputStream open() throws IOException;

    /** The size in bytes if known (used for the SIZE parameter and the local size check). */
    OptionalLong size();

    /** A file; its size is known. */
    static MessageSource of(Path file) {
        Objects.requireNonNull(file, "file");
        return new MessageSource() {
            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }

            @Override
            public OptionalLong size() {
                try {
                    return OptionalLong.of(Files.size(file));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the size of message file " + file, e);
                }
            }

            @Override
            public String toString() {
                return "MessageSource[" + file + "]";
            }
        };
    }

    /** Bytes in memory (the array is not copied). */
    static MessageSource of(byte[] message) {
        Objects.requireNonNull(message, "message");
        return new MessageSource() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(message);
            }

            @Override
            public OptionalLong size() {
                return OptionalLong.of(message.length);
            }
        };
    }

    /** A stream (opened once per send attempt by {@code opener}), size known or -1. */
    static MessageSource of(IoSupplier opener, long size) {
        Objects.requireNonNull(opener, "opener");
        return new MessageSource() {
            @Override
            public InputStream open() throws IOException {
                return opener.open();
            }

            @Override
            public OptionalLong size() {
                return size < 0 ? OptionalLong.empty() : OptionalLong.of(size);
            }
        };
    }

    /** Opens an {@link InputStream}. */
    @FunctionalInterface
    interface IoSupplier {
        InputStream open() throws IOException;
    }
}
