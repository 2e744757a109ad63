package org.rawsockets.socket.mina.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

import org.rawsockets.socket.DnsQueryType;
import org.rawsockets.socket.NetworkException;
import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.mina.internal.policy.Access;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.AuditLog;

/**
 * {@link org.rawsockets.socket.SocketService#checkTcp}: the policy decision of a TCP open without the
 * open. Resolves once on the owner's lane of the blocking executor (as {@link TcpOpener} does),
 * checks every address and passes when one is allowed; a name that does not resolve is checked by
 * name alone (an unresolved address: only name and any-host grants can cover it). A refusal is
 * audited as a refused TCP open with socket id 0.
 */
final class TcpPolicyCheck {

    private TcpPolicyCheck() {
    }

    static CompletionStage<Void> check(OwnedService svc, String host, int port, DnsQueryType type) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        String dest = MinaSocketEngine.hostPort(host, port);
        try {
            svc.engine.blocking(svc).execute(() -> decide(svc, host, port, type, dest, result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(svc.isReleased()
                    ? new SocketClosedException("cannot check tcp connect " + dest + ": bundle " + svc.owner()
                            + " released the socket service")
                    : new NetworkException(NetworkException.Reason.UNAVAILABLE, "cannot check tcp connect " + dest
                            + ": " + e.getMessage() + "; retry later", e));
        }
        return result;
    }

    private static void decide(OwnedService svc, String host, int port, DnsQueryType type, String dest,
            CompletableFuture<Void> result) {
        if (svc.isReleased()) {
            result.completeExceptionally(new SocketClosedException("cannot check tcp connect " + dest + ": bundle "
                    + svc.owner() + " released the socket service"));
            return;
        }
        List<InetSocketAddress> candidates;
        try {
            List<InetAddress> addrs = svc.engine.resolver().resolve(host, type);
            candidates = addrs.stream().filter(a -> a != null).map(a -> new InetSocketAddress(a, port)).toList();
            if (candidates.isEmpty()) {
                throw new UnknownHostException(host);
            }
        } catch (UnknownHostException e) {
            // only the side that will connect knows this name: the grant must name it
            candidates = List.of(InetSocketAddress.createUnresolved(host, port));
        } catch (RuntimeException e) {
            result.completeExceptionally(new NetworkException(NetworkException.Reason.DNS, "cannot resolve '" + host
                    + "' to check tcp connect " + dest + ": " + e, e));
            return;
        }
        NotAllowedException first = null;
        InetSocketAddress firstAddress = null;
        for (InetSocketAddress a : candidates) {
            try {
                svc.engine.policy().check(svc.owner(), new Access(AccessKind.TCP_CONNECT, host, null, a));
                result.complete(null);
                return;
            } catch (NotAllowedException e) {
                if (first == null) {
                    first = e;
                    firstAddress = a;
                }
            } catch (RuntimeException e) {
                first = new NotAllowedException("the socket policy failed while checking " + a + ": " + e);
                firstAddress = a;
                break;
            }
        }
        svc.engine.audit(new AuditLog.Entry(Instant.now(), svc.owner(), 0, AccessKind.TCP_CONNECT, dest, firstAddress,
                AuditLog.Outcome.REFUSED, first.getMessage(), 0, 0));
        result.completeExceptionally(first);
    }
}
