package org.rawsockets.protocols.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** secret:NAME references: parsing (literals refused, never shown) and reading the file. */
class SecretFilesTest {

    private static final String SECRET = "s3cret-Passw0rd";
    private static final String WHERE = "PID org.rawsockets.smtp.server~office";

    private static Path write(Path dir, String name, String content, String mode) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void referencesAreParsedAndLiteralsRefusedWithoutShowingThem() {
        assertEquals(Optional.empty(), SecretFiles.reference(WHERE, ".password", "", "office"));
        assertEquals(Optional.of("office-smtp"), SecretFiles.reference(WHERE, ".password", " secret:office-smtp ", "office"));
        ConfigRejectedException literal = assertThrows(ConfigRejectedException.class,
                () -> SecretFiles.reference(WHERE, ".password", SECRET, "office"));
        assertFalse(literal.getMessage().contains(SECRET), literal.getMessage());
        assertTrue(literal.getMessage().startsWith(WHERE + " field '.password': a literal secret (not shown)"),
                literal.getMessage());
        assertTrue(literal.getMessage().endsWith("; rule: a secret is never written in configuration: put it alone in"
                + " the file secrets/office of the gateway folder (mode 0600) and set .password = secret:office"),
                literal.getMessage());
        for (String bad : new String[] { "secret:", "secret:../etc/passwd", "secret:.hidden", "secret:a/b" }) {
            ConfigRejectedException e = assertThrows(ConfigRejectedException.class,
                    () -> SecretFiles.reference(WHERE, ".password", bad, "office"), bad);
            assertTrue(e.getMessage().contains("= '" + bad + "': not a valid secret reference"), e.getMessage());
        }
    }

    @Test
    void readsTheFileWithoutOneTrailingNewline(@TempDir Path dir) throws Exception {
        SecretFiles secrets = new SecretFiles(dir.toString());
        write(dir, "a", SECRET + "\n", "rw-------");
        write(dir, "b", SECRET + "\r\n", "rw-r-----");
        write(dir, "c", SECRET + "\n\n", "r--------");
        write(dir, "d", " spaces kept ", "rw-------");
        assertEquals(SECRET, secrets.read("a"));
        assertEquals(SECRET, secrets.read("b"), "group-readable is accepted");
        assertEquals(SECRET + "\n", secrets.read("c"), "only one newline is removed");
        assertEquals(" spaces kept ", secrets.read("d"));
        assertEquals(dir.resolve("a"), secrets.path("a").orElseThrow());
    }

    @Test
    void problemsNameTheSecretAndPathNeverTheContent(@TempDir Path dir) throws Exception {
        SecretFiles secrets = new SecretFiles(dir.toString());
        Path world = write(dir, "world", SECRET, "rw-r--r--");
        write(dir, "empty", "\n", "rw-------");
        write(dir, "big", "x".repeat(SecretFiles.MAX_BYTES + 1), "rw-------");
        Files.createDirectory(dir.resolve("folder"));
        assertProblem(secrets, "world", "secret 'world' (file " + world + ") is readable by every user (mode rw-r--r--):"
                + " refused; make it readable by the gateway's user only (chmod 600 " + world + ")");
        assertProblem(secrets, "missing", "secret 'missing' (file " + dir.resolve("missing") + ") does not exist");
        assertProblem(secrets, "empty", "is empty");
        assertProblem(secrets, "big", "is larger than 65536 bytes");
        assertProblem(secrets, "folder", "is not a regular file");
        assertProblem(new SecretFiles(null), "a", "the framework property rawsockets.secrets.dir is not set");
        assertProblem(new SecretFiles("relative/dir"), "a", "not an absolute path");
    }

    private static void assertProblem(SecretFiles secrets, String name, String text) {
        SecretFiles.SecretException e = assertThrows(SecretFiles.SecretException.class, () -> secrets.read(name));
        assertTrue(e.getMessage().contains(text), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }
}
