package org.rawsockets.ssh.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.rawsockets.ssh.SshSettings;

/**
 * What happened during one connect (host key check, authentication methods), kept in the
 * connection context so a failure can be told precisely.
 */
final class Attempt {

    static final AttributeKey<Attempt> KEY = new AttributeKey<>();

    final SshSettings settings;
    /** host:port as used for known_hosts (the endpoint's address for an endpoint). */
    final String host;
    final int port;
    volatile String hostKeyProblem;
    volatile org.rawsockets.ssh.SshException.Reason hostKeyReason;
    volatile String fingerprint;
    volatile boolean timedOut;
    /** Only the host key is wanted (ssh:fingerprint): record it and stop before authentication. */
    volatile boolean probe;
    volatile java.security.PublicKey serverKey;
    private final Set<String> serverMethods = new LinkedHashSet<>();
    private final List<String> refused = new ArrayList<>();

    Attempt(SshSettings settings, String host, int port) {
        this.settings = settings;
        this.host = host;
        this.port = port;
    }

    synchronized void refused(String method, List<String> serverAllows) {
        if (!refused.contains(method)) {
            refused.add(method);
        }
        serverMethods.clear();
        serverMethods.addAll(serverAllows);
    }

    synchronized List<String> refused() {
        return List.copyOf(refused);
    }

    synchronized Set<String> serverMethods() {
        return Set.copyOf(serverMethods);
    }

    synchronized String serverMethodsText() {
        return serverMethods.isEmpty() ? "unknown" : String.join(", ", serverMethods);
    }

    String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
