package org.rawsockets.socket.admin;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The socket policy for operators: what the {@code policy:*} shell commands show and change, as data.
 * A singleton service of the socket service implementation. Methods never block on the network
 * except {@link #explain}, which resolves a host name.
 */
@ProviderType
public interface PolicyAdmin {

    /** The policy in force now. */
    PolicySnapshot policy();

    /**
     * Whether {@code bundle} may open {@code kind} to {@code host:port}, per resolved address, with the
     * reason and the missing grant line.
     *
     * @param kind tcp, tcp-listen, udp-connected, udp-bound, udp-bind, udp-receive, multicast
     * @param host a name, an IP address, or {@code endpoint:<name>}
     * @throws IllegalArgumentException an unknown kind, a port outside 0..65535, an unknown endpoint or
     *             a host that does not resolve (the message says which)
     */
    List<Explanation> explain(String bundle, String kind, String host, int port);

    /**
     * Adds or replaces {@code grant.<name> = <line>} in the policy's Config Admin configuration (as
     * {@code policy:grant}); in force for new opens once Config Admin has delivered it.
     *
     * @throws IllegalArgumentException a name that is not letters, digits, '.', '_', '-' or starts
     *             with {@code default.}, or a line that does not parse (the message says why);
     *             nothing is changed then
     * @throws IllegalStateException the configuration could not be stored
     */
    GrantChange grant(String name, String line);

    /**
     * Removes {@code grant.<name>} (open sockets stay open).
     *
     * @return the removed grant, or {@code null} when there is no grant of that name
     * @throws IllegalStateException the configuration could not be stored
     */
    GrantChange revoke(String name);

    /**
     * The audit entries recorded after sequence number {@code afterSequence} that the ring still
     * holds, oldest first, at most {@code max} (the most recent ones when there are more).
     */
    AuditPage audit(long afterSequence, int max);
}
