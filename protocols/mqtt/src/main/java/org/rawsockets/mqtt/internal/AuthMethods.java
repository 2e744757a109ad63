package org.rawsockets.mqtt.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.rawsockets.mqtt.MqttAuthException;
import org.rawsockets.mqtt.MqttAuthMethod;
import org.rawsockets.protocols.sasl.ScramClient;

/**
 * Where a broker's enhanced authentication method is found when an exchange starts: SCRAM-SHA-256
 * and SCRAM-SHA-512 built in (their names in any case), else a method given here ({@link #of}) or,
 * in the framework, an {@link MqttAuthMethod} service with the service property {@code saslMechanism}
 * of that name ({@link ServiceAuthMethods}), held for the one exchange ({@link Lease#release()}).
 * Free of OSGi types: the client runs on a plain class path too.
 */
public interface AuthMethods {

    /** A method held for one exchange. */
    interface Lease {
        MqttAuthMethod method();

        /** Gives the service back (idempotent). */
        void release();
    }

    /**
     * @throws MqttAuthException when no method of that name is available (the message says how to
     *         provide one)
     */
    Lease find(String name) throws MqttAuthException;

    /** The built-in SCRAM method of that name, if it is one. */
    static Optional<MqttAuthMethod> builtIn(String name) {
        return ScramClient.Mechanism.bySaslName(name).map(ScramMethod::new);
    }

    /** Whether a name is a built-in method. */
    static boolean isBuiltIn(String name) {
        return ScramClient.Mechanism.bySaslName(name).isPresent();
    }

    /** The built-in methods only, and the given ones (for tests and non-OSGi use). */
    static AuthMethods of(MqttAuthMethod... more) {
        Map<String, MqttAuthMethod> byName = new java.util.HashMap<>();
        for (MqttAuthMethod m : more) {
            byName.put(m.name(), m);
        }
        return name -> {
            MqttAuthMethod m = builtIn(name).orElse(byName.get(name));
            if (m == null) {
                throw missing(name, new ArrayList<>(byName.keySet()));
            }
            return lease(m, () -> { });
        };
    }

    static MqttAuthException missing(String name, List<String> others) {
        others.sort(null);
        return new MqttAuthException("no enhanced authentication method '" + name + "': built in are "
                + ScramClient.Mechanism.names() + (others.isEmpty() ? "; no bundle provides another" : "; bundles"
                        + " provide " + String.join(", ", others)) + " (a bundle provides one as an MqttAuthMethod"
                + " service with the service property saslMechanism=" + name + ")");
    }

    static Lease lease(MqttAuthMethod m, Runnable release) {
        return new Lease() {
            private boolean released;

            @Override
            public MqttAuthMethod method() {
                return m;
            }

            @Override
            public synchronized void release() {
                if (!released) {
                    released = true;
                    release.run();
                }
            }
        };
    }
}
