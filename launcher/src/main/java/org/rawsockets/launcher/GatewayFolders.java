package org.rawsockets.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The gateway folder's writable parts. {@code data/} (framework cache, Config Admin store with every
 * configuration, FileInstall's temporary files) and {@code secrets/} (one file per secret, read by
 * the bundles through the framework property {@value #SECRETS_DIR_PROPERTY}) are owner-only: folders
 * 0700, secret and configuration files 0600, whatever the umask. A secret file that others could read
 * is made owner-only and reported.
 */
final class GatewayFolders {

    /** Framework property: the absolute path of the secrets folder ({@code <gateway>/secrets}). */
    static final String SECRETS_DIR_PROPERTY = "rawsockets.secrets.dir";

    static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private GatewayFolders() {
    }

    /**
     * Creates {@code deploy/ etc/ log/ bundles/} (normal modes) and the owner-only {@code data/} and
     * secrets folder, and makes what is already in {@code data/config} and the secrets folder
     * owner-only.
     */
    static void prepare(Path home, Path configStore, Path secrets, PrintStream err) throws IOException {
        for (String dir : new String[] { "deploy", "etc", "log", "bundles" }) {
            Files.createDirectories(home.resolve(dir));
        }
        ownerOnlyDir(home.resolve("data"));
        if (configStore != null) {
            ownerOnlyDir(configStore);
            ownerOnlyTree(configStore);
        }
        ownerOnlyDir(secrets);
        if (posix(secrets)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(secrets)) {
                for (Path f : files) {
                    if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
                        if (perms.stream().anyMatch(NOT_OWNER::contains)) {
                            Files.setPosixFilePermissions(f, OWNER_FILE);
                            err.println("gateway: WARNING secret file " + f + " was readable by others (mode "
                                    + PosixFilePermissions.toString(perms) + "): made owner-only (rw-------)");
                        }
                    }
                }
            }
        }
    }

    /** Creates {@code dir} if needed and sets it to 0700 (POSIX file systems). */
    static void ownerOnlyDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (posix(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            } else {
                Files.createDirectories(dir);
            }
        }
        if (posix(dir)) {
            Files.setPosixFilePermissions(dir, OWNER_DIR);
        }
    }

    /** Folders 0700, files 0600 below {@code dir}. */
    private static void ownerOnlyTree(Path dir) throws IOException {
        if (!posix(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Files.setPosixFilePermissions(p, Files.isDirectory(p) ? OWNER_DIR : OWNER_FILE);
            }
        }
    }

    /** Whether {@code p}'s file system has POSIX modes (elsewhere, e.g. Windows, modes are left alone). */
    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
