package org.rawsockets.ssh.internal;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

import org.rawsockets.protocols.config.ConfigRegistry;

/**
 * The active SSH host components by name, for the {@code jump} property: one directory per
 * {@link ConfigRegistry} (the bundle's, or a test's own), so that a host finds its bastion among the
 * hosts configured beside it. A host is added when activated and removed when deactivated; the
 * {@code jump} names are looked up at each connect, so the order in which hosts activate does not
 * matter.
 */
final class HostDirectory {

    private static final Map<ConfigRegistry, HostDirectory> BY_REGISTRY = Collections.synchronizedMap(new WeakHashMap<>());

    private final Map<String, SshHostComponent> hosts = new ConcurrentHashMap<>();

    static HostDirectory of(ConfigRegistry registry) {
        return BY_REGISTRY.computeIfAbsent(registry, r -> new HostDirectory());
    }

    void add(SshHostComponent host) {
        hosts.put(host.name(), host);
    }

    void remove(SshHostComponent host) {
        hosts.remove(host.name(), host);
    }

    SshHostComponent get(String name) {
        return hosts.get(name);
    }

    /** The names of the active hosts, sorted. */
    List<String> names() {
        return hosts.keySet().stream().sorted().toList();
    }
}
