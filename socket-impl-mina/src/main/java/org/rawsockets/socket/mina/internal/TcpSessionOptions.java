package org.rawsockets.socket.mina.internal;

import java.io.IOException;
import java.nio.channels.SocketChannel;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.SocketSessionConfig;
import org.apache.mina.transport.socket.nio.NioSession;
import org.rawsockets.socket.TcpSocketOptions;

/** Applies a connection's {@link TcpSocketOptions} to its session (outgoing and accepted). */
final class TcpSessionOptions {

    private TcpSessionOptions() {
    }

    static void apply(IoSession s, TcpSocketOptions options) {
        SocketSessionConfig c = (SocketSessionConfig) s.getConfig();
        c.setTcpNoDelay(options.noDelay());
        options.sendBufferSize().ifPresent(c::setSendBufferSize);
        options.receiveBufferSize().ifPresent(c::setReceiveBufferSize);
        if (options.keepAliveDelay().isPresent()) {
            c.setKeepAlive(true);
            int secs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, options.keepAliveDelay().get().toSeconds()));
            if (s instanceof NioSession ns && ns.getChannel() instanceof SocketChannel ch) {
                // jdk.net.ExtendedSocketOptions TCP_KEEPIDLE/TCP_KEEPINTERVAL, found by name so that the
                // bundle does not import jdk.net (not exported by OSGi frameworks by default)
                for (java.net.SocketOption<?> o : ch.supportedOptions()) {
                    if ((o.name().equals("TCP_KEEPIDLE") || o.name().equals("TCP_KEEPINTERVAL"))
                            && o.type() == Integer.class) {
                        try {
                            @SuppressWarnings("unchecked")
                            java.net.SocketOption<Integer> io = (java.net.SocketOption<Integer>) o;
                            ch.setOption(io, secs);
                        } catch (IOException | RuntimeException e) {
                            // keep-alive stays on with the system's timing
                        }
                    }
                }
            }
        }
    }
}
