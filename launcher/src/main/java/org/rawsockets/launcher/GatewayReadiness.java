package org.rawsockets.launcher;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * The waits behind the readiness line: a service registered, and FileInstall's first scan of
 * {@code deploy/} and {@code etc/} applied (jars installed, configuration files in Config Admin).
 */
final class GatewayReadiness {

    private GatewayReadiness() {
    }

    /**
     * Waits (until {@code deadline}) until FileInstall has installed every jar of {@code deploy/}
     * and pushed every configuration file of {@code deploy/} and {@code etc/} into Config Admin.
     *
     * @return the files not applied by the deadline
     */
    static List<String> awaitInitialScan(BundleContext ctx, Path home, long deadline) throws IOException, InterruptedException {
        List<Path> jars = new ArrayList<>();
        List<Path> configs = new ArrayList<>();
        for (String dir : new String[] { "deploy", "etc" }) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(home.resolve(dir))) {
                for (Path f : files) {
                    String n = f.getFileName().toString();
                    if (n.endsWith(".jar") && dir.equals("deploy")) {
                        jars.add(f);
                    } else if (n.endsWith(".cfg") || n.endsWith(".config")) {
                        configs.add(f);
                    }
                }
            }
        }
        List<String> pending = new ArrayList<>();
        while (true) {
            pending.clear();
            for (Path jar : jars) {
                if (!hasBundleAt(ctx, jar)) {
                    pending.add(home.relativize(jar).toString());
                }
            }
            if (!configs.isEmpty()) {
                List<Path> applied = fileInstallConfigFiles(ctx).stream().map(GatewayReadiness::pathOf)
                        .filter(java.util.Objects::nonNull).toList();
                for (Path c : configs) {
                    if (!applied.contains(c.toAbsolutePath().normalize())) {
                        pending.add(home.relativize(c).toString());
                    }
                }
            }
            if (pending.isEmpty() || System.nanoTime() >= deadline) {
                return pending;
            }
            Thread.sleep(20);
        }
    }

    private static boolean hasBundleAt(BundleContext ctx, Path jar) {
        Path want = jar.toAbsolutePath().normalize();
        for (Bundle b : ctx.getBundles()) {
            if (want.equals(pathOf(b.getLocation()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The file a bundle location or FileInstall file name ({@code file:} URI, percent-encoded, maybe
     * behind {@code reference:}) points at; {@code null} for anything else.
     */
    static Path pathOf(String location) {
        String u = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        if (!u.startsWith("file:")) {
            return null;
        }
        try {
            return Path.of(java.net.URI.create(u)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    /**
     * The {@code felix.fileinstall.filename} of every configuration in Config Admin (through
     * reflection: the launcher does not see the Config Admin API); empty while Config Admin is not
     * there yet, so configuration files count as pending until it is.
     *
     * @throws IllegalStateException Config Admin's API cannot be used through reflection
     */
    private static List<String> fileInstallConfigFiles(BundleContext ctx) {
        ServiceReference<?> ref = ctx.getServiceReference("org.osgi.service.cm.ConfigurationAdmin");
        if (ref == null) {
            return new ArrayList<>();
        }
        Object cm = ctx.getService(ref);
        try {
            Class<?> cmType = ref.getBundle().loadClass("org.osgi.service.cm.ConfigurationAdmin");
            Class<?> configType = ref.getBundle().loadClass("org.osgi.service.cm.Configuration");
            Object[] configs = (Object[]) cmType.getMethod("listConfigurations", String.class).invoke(cm,
                    "(felix.fileinstall.filename=*)");
            List<String> files = new ArrayList<>();
            if (configs != null) {
                Method props = configType.getMethod("getProperties");
                for (Object c : configs) {
                    java.util.Dictionary<?, ?> d = (java.util.Dictionary<?, ?>) props.invoke(c);
                    Object f = d == null ? null : d.get("felix.fileinstall.filename");
                    if (f != null) {
                        files.add(f.toString());
                    }
                }
            }
            return files;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the configurations in Config Admin ("
                    + ref.getBundle().getSymbolicName() + "): its API is not the expected one: " + e, e);
        } catch (RuntimeException e) {
            return new ArrayList<>(); // Config Admin going away: its configurations count as not applied yet
        } finally {
            try {
                ctx.ungetService(ref);
            } catch (IllegalStateException ignored) {
                // stopping
            }
        }
    }

    static boolean awaitService(BundleContext ctx, String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        CountDownLatch seen = new CountDownLatch(1);
        org.osgi.framework.ServiceListener l = e -> seen.countDown();
        try {
            ctx.addServiceListener(l, "(" + Constants.OBJECTCLASS + "=" + type + ")");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        try {
            while (ctx.getServiceReference(type) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                seen.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            ctx.removeServiceListener(l);
        }
    }
}
