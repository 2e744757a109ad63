package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;

import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioDatagramAcceptor;
import org.junit.jupiter.api.Test;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * Canary for the MINA internals the engine reaches by reflection (MINA 2.2 offers no API for them).
 * On a MINA version that renamed them the engine still works, with a WARN at start, but degraded:
 * this test fails so that the upgrade is noticed.
 */
class MinaReflectionCanaryTest {

    /** Wakeup: NioSession.getSelectionKey() and AbstractIoSession.readSuspended. */
    @Test
    void wakeupReachesTheSelectionKeyAndTheSuspendedFlag() throws Exception {
        assertTrue(Wakeup.available(), Wakeup.problem());
        try (MinaSocketEngine engine = MinaSocketEngine.standalone();
                Peers.Server peer = new Peers.Server(Peers::echo)) {
            TcpSocket s = engine.serviceFor(Owner.of(1, "canary")).openTcp("127.0.0.1", peer.port());
            s.opened().toCompletableFuture().get(20, TimeUnit.SECONDS);
            IoSession session = ((TcpConnection.Facade) s).connection().debugSession();
            SelectionKey key = Wakeup.selectionKey(session);
            assertNotNull(key, "the session's selection key");
            assertTrue(key.isValid() && (key.interestOps() & SelectionKey.OP_READ) != 0, "registered for reading");
            assertEquals(false, Wakeup.readSuspendedFlag(session));
            s.close().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    /** DatagramChannels: NioDatagramAcceptor.boundHandles. */
    @Test
    void theChannelOfABoundDatagramAcceptorIsReachable() throws Exception {
        assertTrue(DatagramChannels.available(), DatagramChannels.problem());
        NioDatagramAcceptor acc = new NioDatagramAcceptor();
        acc.setHandler(new IoHandlerAdapter());
        try {
            acc.bind(new InetSocketAddress("127.0.0.1", 0));
            DatagramChannel ch = DatagramChannels.of(acc);
            assertNotNull(ch, "the bound channel");
            assertEquals(acc.getLocalAddress(), ch.getLocalAddress());
            assertEquals(0, acc.getManagedSessionCount(), "found without creating a session");
        } finally {
            acc.dispose(true);
        }
    }
}
