package org.rawsockets.launcher;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * {@code etc/} (and {@code deploy/}) are the source of truth for configurations that came from a file:
 * Config Admin keeps every configuration in its store ({@code data/config}) across restarts, so a
 * configuration whose file was deleted while the gateway was stopped would come back (FileInstall
 * only deletes what it sees disappear while running). At start-up, after Config Admin is active and
 * before Declarative Services and FileInstall start, the launcher deletes every configuration that
 * FileInstall made ({@code felix.fileinstall.filename} set) from a file that is no longer there.
 *
 * <p>Through reflection: the launcher is outside OSGi and does not see the Config Admin API.
 */
final class StaleConfigurations {

    static final String CONFIG_ADMIN = "org.osgi.service.cm.ConfigurationAdmin";
    static final String CONFIG_ADMIN_BSN = "org.apache.felix.configadmin";
    static final String FILENAME = "felix.fileinstall.filename";

    private StaleConfigurations() {
    }

    /** One configuration taken out of the store. */
    record Removed(String pid, String file) {
        @Override
        public String toString() {
            return pid + " (from " + file + ")";
        }
    }

    /**
     * Whether a configuration made from {@code filename} is stale: the file is gone, or it is not in
     * one of the folders FileInstall watches now (a gateway folder that was moved or copied).
     *
     * @param filename the {@code felix.fileinstall.filename} value (a {@code file:} URI)
     * @param watched the watched folders, absolute and normalised
     */
    static boolean stale(String filename, List<Path> watched) {
        Path file = GatewayReadiness.pathOf(filename);
        if (file == null) {
            return false; // not a file FileInstall made: not ours to judge
        }
        if (!Files.isRegularFile(file)) {
            return true;
        }
        for (Path dir : watched) {
            if (file.startsWith(dir)) {
                return false;
            }
        }
        return true;
    }

    /** The folders of {@code felix.fileinstall.dir} (comma separated), absolute and normalised. */
    static List<Path> watchedFolders(String fileInstallDirs, Path home) {
        List<Path> dirs = new ArrayList<>();
        String value = fileInstallDirs == null ? "" : fileInstallDirs;
        for (String d : value.split(",")) {
            if (!d.isBlank()) {
                Path p = Paths.get(d.trim());
                dirs.add((p.isAbsolute() ? p : home.resolve(p)).toAbsolutePath().normalize());
            }
        }
        return dirs;
    }

    /**
     * Deletes every stale FileInstall configuration through the registered ConfigurationAdmin.
     *
     * @return what was deleted
     * @throws IllegalStateException when Config Admin is not registered or refuses (start-up must
     *             not go on with configurations the operator removed)
     */
    static List<Removed> remove(BundleContext ctx, List<Path> watched) {
        ServiceReference<?> ref = ctx.getServiceReference(CONFIG_ADMIN);
        if (ref == null) {
            throw new IllegalStateException("no " + CONFIG_ADMIN + " registered: cannot remove configurations whose"
                    + " etc/ file was deleted (is " + CONFIG_ADMIN_BSN + " active?)");
        }
        Object cm = ctx.getService(ref);
        try {
            Class<?> cmType = ref.getBundle().loadClass(CONFIG_ADMIN);
            Class<?> configType = ref.getBundle().loadClass("org.osgi.service.cm.Configuration");
            Object[] configs = (Object[]) cmType.getMethod("listConfigurations", String.class).invoke(cm,
                    "(" + FILENAME + "=*)");
            List<Removed> removed = new ArrayList<>();
            if (configs == null) {
                return removed;
            }
            Method props = configType.getMethod("getProperties");
            Method pid = configType.getMethod("getPid");
            Method delete = configType.getMethod("delete");
            for (Object c : configs) {
                Dictionary<?, ?> d = (Dictionary<?, ?>) props.invoke(c);
                Object f = d == null ? null : d.get(FILENAME);
                if (f != null && stale(f.toString(), watched)) {
                    String id = (String) pid.invoke(c); // a deleted configuration answers nothing
                    delete.invoke(c);
                    Path file = GatewayReadiness.pathOf(f.toString());
                    removed.add(new Removed(id, file == null ? f.toString() : file.toString()));
                }
            }
            return removed;
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalStateException("removing configurations whose etc/ file was deleted failed: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("removing configurations whose etc/ file was deleted failed: " + e, e);
        } finally {
            try {
                ctx.ungetService(ref);
            } catch (IllegalStateException ignored) {
                // stopping
            }
        }
    }
}
