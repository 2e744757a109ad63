package org.rawsockets.bench.socket;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.rawsockets.bench.BenchSupport;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * The hard form of the idle target, run by {@link SocketBench} in a child JVM started with
 * {@code -Xmx128m}: a fresh socket engine opens {@code count} idle TcpSockets (one read pending
 * each) to the peer's port. Prints {@code IDLECAP ok <count> <used heap bytes>} when all are open,
 * or {@code IDLECAP failed <reason>}; an OutOfMemoryError means the target is missed.
 */
public final class IdleCap {

    private IdleCap() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (MinaSocketEngine engine = MinaSocketEngine.standalone();
                MinaSocketEngine.OwnedSocketService service = engine.serviceFor(Owner.of(1, "bench-idlecap"))) {
            try (Client.Idle idle = TcpSocketClient.openIdle(service, addr, count)) {
                long used = BenchSupport.usedHeapAfterGc();
                System.out.println("IDLECAP ok " + idle.count() + " " + used);
            }
        } catch (OutOfMemoryError e) {
            System.out.println("IDLECAP failed OutOfMemoryError: " + e.getMessage());
            System.exit(3);
        } catch (Exception e) {
            System.out.println("IDLECAP failed " + e);
            System.exit(4);
        }
        System.exit(0);
    }
}
