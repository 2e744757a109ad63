package org.rawsockets.ssh.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.rawsockets.protocols.config.SecretFiles;

/** The owner-only secrets folder a gateway's operator keeps, with one secret in it, for the components' tests. */
final class TestSecrets {

    private TestSecrets() {
    }

    /** {@code dir/secrets} (0700) holding {@code name} (0600) with {@code value} and a newline. */
    static SecretFiles with(Path dir, String name, String value) throws Exception {
        Path secretDir = Files.createDirectories(dir.resolve("secrets"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path secret = Files.writeString(secretDir.resolve(name), value + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        return new SecretFiles(secretDir.toString());
    }
}
