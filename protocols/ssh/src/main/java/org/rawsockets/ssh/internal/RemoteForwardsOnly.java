package org.rawsockets.ssh.internal;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.AgentForwardingFilter;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.forward.X11ForwardingFilter;

/**
 * What a server may ask of this client: only the connections of remote forwards this client started
 * ({@code forwarded-tcpip} to a port it asked for; SSHD finds no target for any other port). No agent
 * or X11 forwarding, no listening on the server's behalf. Each connection is still checked by the
 * socket policy when the transport opens it.
 */
final class RemoteForwardsOnly implements TcpForwardingFilter {

    static final ForwardingFilter FILTER = ForwardingFilter.asForwardingFilter(AgentForwardingFilter.of(false),
            X11ForwardingFilter.of(false), new RemoteForwardsOnly());

    @Override
    public boolean canListen(SshdSocketAddress address, Session session) {
        return false;
    }

    @Override
    public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
        return type == Type.Forwarded;
    }
}
