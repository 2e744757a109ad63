package org.rawsockets.ssh;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * SFTP on a session's one SFTP channel (opened at the first call). Transfers stream through fixed
 * buffers (memory does not grow with the file size) on a worker thread of the bundle; stages fail
 * with {@link SshException} ({@link SshException.Reason#SFTP} with the server's status text for
 * "no such file", "permission denied"...).
 */
@ProviderType
public interface SftpFiles {

    /** The entries of a remote directory (without {@code .} and {@code ..}). */
    CompletionStage<List<RemoteFile>> list(String directory);

    /** A remote file's attributes (following symbolic links). */
    CompletionStage<RemoteFile> stat(String path);

    /**
     * Downloads {@code remote} into {@code local}.
     *
     * @param resume when {@code local} exists, keep its bytes and fetch only the rest of the remote
     *            file (an interrupted download continues); otherwise {@code local} is replaced
     */
    CompletionStage<TransferResult> get(String remote, Path local, boolean resume, TransferProgress progress);

    /**
     * Uploads {@code local} to {@code remote}.
     *
     * @param resume when {@code remote} exists, keep its bytes and send only the rest of the local
     *            file; otherwise {@code remote} is replaced
     */
    CompletionStage<TransferResult> put(Path local, String remote, boolean resume, TransferProgress progress);

    CompletionStage<Void> mkdir(String directory);

    /** Removes a file (for a directory: an empty one). */
    CompletionStage<Void> rm(String path);

    CompletionStage<Void> rename(String from, String to);
}
