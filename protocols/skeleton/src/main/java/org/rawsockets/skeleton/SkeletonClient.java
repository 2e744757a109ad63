package org.rawsockets.skeleton;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A configured skeleton server (service property {@code name}): a line protocol where the server
 * answers each line with one line.
 */
@ProviderType
public interface SkeletonClient {

    /** The configured name. */
    String name();

    /** {@code host:port} or {@code endpoint NAME}, for messages and the shell. */
    String target();

    /**
     * Sends one line and completes with the server's answer line. Ends by the configured deadline
     * ({@code timeoutMillis}); cancelling the stage closes the connection.
     *
     * @param line text without CR or LF, at most {@code maxLineBytes} bytes in UTF-8
     * @return the answer, or a stage failed with {@link SkeletonException}
     */
    CompletionStage<String> exchange(String line);
}
