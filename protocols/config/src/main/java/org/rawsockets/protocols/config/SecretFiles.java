package org.rawsockets.protocols.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Secrets in configuration: the rule every protocol bundle follows. A password (or token) is never a
 * value in configuration, where Config Admin would keep it in clear text and {@code scr:info} would
 * print it. The configuration holds a reference {@code secret:NAME}; the secret is the content of
 * the file {@code <rawsockets.secrets.dir>/NAME} (the gateway's owner-only {@code secrets/}
 * folder, set by the launcher as framework property {@value #DIR_PROPERTY}), read when the
 * credential is needed, never kept in a field that is printed.
 *
 * <ul>
 * <li>{@link #reference} checks a configured value at activation: empty, a valid reference, or a
 * literal, which is refused with a message saying how to move it into a secret file (the value is
 * never shown).</li>
 * <li>{@link #read} reads a secret: the content with one trailing newline removed. A missing,
 * unreadable, empty, oversized or world-readable file fails with {@link SecretException} naming the
 * secret and the path, never the content. World-readable files are refused, not merely warned
 * about: any local user could already have read the secret, and the operator must notice (as ssh
 * does for private keys). Group-readable files are accepted.</li>
 * </ul>
 */
public final class SecretFiles {

    /** Framework property: absolute path of the folder holding secret files. */
    public static final String DIR_PROPERTY = "rawsockets.secrets.dir";
    /** Prefix of a secret reference in configuration. */
    public static final String PREFIX = "secret:";
    /** Largest secret file read, in bytes. */
    public static final int MAX_BYTES = 64 * 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final String dir;

    /** @param dir the value of {@value #DIR_PROPERTY} ({@code null} when not set) */
    public SecretFiles(String dir) {
        this.dir = dir == null || dir.isBlank() ? null : dir.strip();
    }

    /**
     * The secret name a configured value refers to.
     *
     * @param where the configuration, for messages (see {@link StrictConfig#describe})
     * @param property the property name, e.g. {@code .password}
     * @param value the configured value
     * @param suggestedName a name to suggest for the secret file in the message (e.g. the config's name)
     * @return empty when the value is empty; the name of a {@code secret:NAME} reference
     * @throws ConfigRejectedException for a literal value (never shown) or a malformed name
     */
    public static Optional<String> reference(String where, String property, String value, String suggestedName) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        String v = value.strip();
        if (!v.startsWith(PREFIX)) {
            String name = suggestedName == null || !NAME.matcher(suggestedName).matches() ? "NAME" : suggestedName;
            throw StrictConfig.rejected(where, property, null, "a literal secret (not shown), which the configuration"
                    + " store would keep in clear text and scr:info would print", "a secret is never written in"
                            + " configuration: put it alone in the file secrets/" + name + " of the gateway folder (mode"
                            + " 0600) and set " + property + " = " + PREFIX + name);
        }
        String name = v.substring(PREFIX.length()).strip();
        if (!NAME.matcher(name).matches()) {
            throw StrictConfig.rejected(where, property, v, "not a valid secret reference",
                    PREFIX + "NAME where NAME is 1..128 letters, digits, '.', '_', '-', not starting with '.', '_' or '-'");
        }
        return Optional.of(name);
    }

    /** The file of secret {@code name} (for messages); empty when the folder is not configured. */
    public Optional<Path> path(String name) {
        return dir == null ? Optional.empty() : Optional.of(Path.of(dir).resolve(name));
    }

    /**
     * Reads secret {@code name}: the file's content (UTF-8) without one trailing newline.
     *
     * @throws SecretException when the folder is not configured or the file is missing, not a
     *         regular file, readable by every user, unreadable, empty, larger than {@value #MAX_BYTES}
     *         bytes or not UTF-8; the message names the secret and the path, never the content
     */
    public String read(String name) throws SecretException {
        if (!NAME.matcher(name).matches()) {
            throw new SecretException("secret '" + name + "' has an invalid name");
        }
        if (dir == null) {
            throw new SecretException("secret '" + name + "' cannot be read: the framework property " + DIR_PROPERTY
                    + " is not set (the gateway launcher sets it to the gateway's secrets/ folder)");
        }
        Path folder = Path.of(dir);
        if (!folder.isAbsolute()) {
            throw new SecretException("secret '" + name + "' cannot be read: " + DIR_PROPERTY + " is '" + dir
                    + "', not an absolute path");
        }
        Path file = folder.resolve(name);
        String what = "secret '" + name + "' (file " + file + ")";
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        try {
            if (!Files.isRegularFile(file)) {
                throw Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                        ? new SecretException(what + " is not a regular file")
                        : new SecretException(what + " does not exist: create it with the secret as its only"
                                + " content, readable only by the gateway's user (chmod 600)");
            }
            if (posix != null) {
                Set<PosixFilePermission> perms = posix.readAttributes().permissions();
                if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                    throw new SecretException(what + " is readable by every user (mode "
                            + PosixFilePermissions.toString(perms) + "): refused; make it readable by the gateway's"
                            + " user only (chmod 600 " + file + ") and consider the secret exposed");
                }
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                throw new SecretException(what + " is larger than " + MAX_BYTES + " bytes: not a secret file");
            }
            String s;
            try {
                s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new SecretException(what + " is not UTF-8 text");
            }
            if (s.endsWith("\r\n")) {
                s = s.substring(0, s.length() - 2);
            } else if (s.endsWith("\n")) {
                s = s.substring(0, s.length() - 1);
            }
            if (s.isEmpty()) {
                throw new SecretException(what + " is empty: an empty secret is never used");
            }
            return s;
        } catch (SecretException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new SecretException(what + " does not exist");
        } catch (IOException | SecurityException e) {
            throw new SecretException(what + " cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); the gateway's user must be able to"
                    + " read it");
        }
    }

    /** A secret could not be read; the message names the secret and its file, never the content. */
    public static final class SecretException extends IOException {
        private static final long serialVersionUID = 1L;

        public SecretException(String message) {
            super(message);
        }
    }
}
