package org.rawsockets.launcher;

import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * Waits until Config Admin has delivered every configuration change made so far. FileInstall's
 * updates reach Config Admin at once, but Config Admin tells its listeners (Declarative Services
 * among them) later, on its one event thread, in order. The barrier updates a configuration of its
 * own and waits for its event: every earlier event has then been delivered to every listener, so a
 * component configured from {@code etc/} is there when the readiness line is printed and the first
 * {@code -c} command runs.
 *
 * <p>Through reflection and a proxy: the launcher is outside OSGi and does not see the Config Admin
 * API.
 */
final class ConfigurationBarrier {

    static final String PID = "org.rawsockets.launcher.barrier";

    private ConfigurationBarrier() {
    }

    /**
     * @return whether the barrier's event came before {@code deadline} ({@link System#nanoTime()})
     */
    static boolean await(BundleContext ctx, long deadline) throws InterruptedException {
        ServiceReference<?> ref = ctx.getServiceReference(StaleConfigurations.CONFIG_ADMIN);
        if (ref == null) {
            return false;
        }
        Object cm = ctx.getService(ref);
        ServiceRegistration<?> registration = null;
        Object config = null;
        Class<?> configType = null;
        try {
            ClassLoader api = ref.getBundle().adapt(org.osgi.framework.wiring.BundleWiring.class).getClassLoader();
            Class<?> cmType = api.loadClass(StaleConfigurations.CONFIG_ADMIN);
            configType = api.loadClass("org.osgi.service.cm.Configuration");
            Class<?> listenerType = api.loadClass("org.osgi.service.cm.ConfigurationListener");
            Class<?> eventType = api.loadClass("org.osgi.service.cm.ConfigurationEvent");
            java.lang.reflect.Method eventPid = eventType.getMethod("getPid");
            CountDownLatch seen = new CountDownLatch(1);
            Object listener = Proxy.newProxyInstance(api, new Class<?>[] { listenerType }, (proxy, m, args) -> {
                switch (m.getName()) {
                case "configurationEvent":
                    if (PID.equals(eventPid.invoke(args[0]))) {
                        seen.countDown();
                    }
                    return null;
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    return "gateway configuration barrier";
                }
            });
            registration = ctx.registerService(listenerType.getName(), listener, null);
            config = cmType.getMethod("getConfiguration", String.class, String.class).invoke(cm, PID, "?");
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("at", System.nanoTime());
            configType.getMethod("update", java.util.Dictionary.class).invoke(config, props);
            return seen.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        } finally {
            if (config != null) {
                try {
                    configType.getMethod("delete").invoke(config);
                } catch (ReflectiveOperationException | RuntimeException ignored) {
                    // the barrier's own configuration; nothing uses it
                }
            }
            if (registration != null) {
                registration.unregister();
            }
            try {
                ctx.ungetService(ref);
            } catch (IllegalStateException ignored) {
                // stopping
            }
        }
    }
}
