package org.rawsockets.ssh;

import java.time.Instant;

/**
 * A remote file's name and attributes as SFTP reports them.
 *
 * @param name the file name (the last path element for {@link SftpFiles#list}, the path given for
 *            {@link SftpFiles#stat})
 * @param size size in bytes
 * @param directory whether it is a directory
 * @param permissions POSIX permission bits (e.g. {@code 0644}), 0 when the server sent none
 * @param modified last modification, {@link Instant#EPOCH} when the server sent none
 */
public record RemoteFile(String name, long size, boolean directory, int permissions, Instant modified) {
}
