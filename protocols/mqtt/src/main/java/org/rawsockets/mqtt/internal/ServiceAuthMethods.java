package org.rawsockets.mqtt.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.rawsockets.mqtt.MqttAuthException;
import org.rawsockets.mqtt.MqttAuthMethod;

/**
 * {@link AuthMethods} in the framework: the built-in methods, then the highest ranked
 * {@link MqttAuthMethod} service whose service property {@code saslMechanism} is the name, looked
 * up when an exchange starts and given back when it ends.
 */
final class ServiceAuthMethods {

    private ServiceAuthMethods() {
    }

    /** The built-in methods and the {@link MqttAuthMethod} services of a framework. */
    static AuthMethods of(BundleContext context) {
        return name -> {
            Optional<MqttAuthMethod> b = AuthMethods.builtIn(name);
            if (b.isPresent()) {
                return AuthMethods.lease(b.get(), () -> { });
            }
            Collection<ServiceReference<MqttAuthMethod>> refs;
            try {
                refs = context.getServiceReferences(MqttAuthMethod.class, null);
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            } catch (IllegalStateException e) {
                throw new MqttAuthException("the MQTT bundle is stopping; no method '" + name + "' can be used", e);
            }
            List<String> names = new ArrayList<>();
            ServiceReference<MqttAuthMethod> best = null;
            for (ServiceReference<MqttAuthMethod> r : refs) {
                Object n = r.getProperty(MqttAuthMethod.SASL_MECHANISM);
                names.add(String.valueOf(n));
                if (name.equals(n) && (best == null || r.compareTo(best) > 0)) {
                    best = r;
                }
            }
            MqttAuthMethod m = best == null ? null : context.getService(best);
            if (m == null) {
                throw AuthMethods.missing(name, names);
            }
            ServiceReference<MqttAuthMethod> held = best;
            return AuthMethods.lease(m, () -> {
                try {
                    context.ungetService(held);
                } catch (IllegalStateException e) {
                    // the MQTT bundle stopped: its services are released anyway
                }
            });
        };
    }
}
