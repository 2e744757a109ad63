package org.rawsockets.socket.mina.internal;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.SocketState;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.AuditLog;

/** What every socket shares: identity, owner, state, counters, registry and audit life cycle. */
abstract class SocketBase {

    final long id;
    final OwnedService owner;
    final SocketKind kind;
    final AccessKind accessKind;
    final String destination;
    final Instant createdAt = Instant.now();
    final AtomicLong bytesIn = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile SocketState state = SocketState.OPENING;
    volatile InetSocketAddress localAddress;
    volatile InetSocketAddress remoteAddress;
    /** The resolved address the policy checked, for the audit log. */
    volatile InetSocketAddress auditAddress;
    private final AtomicBoolean pendingDone = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean registered;

    SocketBase(OwnedService owner, SocketKind kind, AccessKind accessKind, String destination) {
        this.id = owner.engine.nextId();
        this.owner = owner;
        this.kind = kind;
        this.accessKind = accessKind;
        this.destination = destination;
    }

    /** Registers with the owner, checking its quotas; on refusal the socket fails at once. */
    final boolean admit(boolean pending) {
        try {
            owner.admit(this, pending);
            registered = true;
            if (!pending) {
                pendingDone.set(true);
            }
            return true;
        } catch (NotAllowedException e) {
            pendingDone.set(true);
            audit(AuditLog.Outcome.REFUSED, e.getMessage());
            failOpen(e);
            return false;
        }
    }

    boolean isRegistered() {
        return registered;
    }

    /** What TLS negotiated on this socket (operator view), or null: none by default. */
    TlsInfo tlsInfo() {
        return null;
    }

    SocketInfo info() {
        return new SocketInfo(id, owner.owner().toString(), kind, destination, localAddress, remoteAddress, state,
                bytesIn.get(), bytesOut.get(), createdAt);
    }

    /** Marks the open complete (counts, audit). */
    final void markOpen() {
        if (pendingDone.compareAndSet(false, true)) {
            owner.pendingDone();
        }
        if (state == SocketState.OPENING) {
            state = SocketState.OPEN;
        }
        audit(AuditLog.Outcome.OPENED, "");
    }

    /** Marks the socket done: unregisters, audits, completes or fails {@link #closed}. */
    final void markFinished(Throwable error, boolean opened) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        if (pendingDone.compareAndSet(false, true)) {
            owner.pendingDone();
        }
        state = error == null ? SocketState.CLOSED : SocketState.FAILED;
        if (registered) {
            owner.unregister(this);
        }
        if (error instanceof NotAllowedException) {
            // already audited as REFUSED
        } else if (!opened && error != null) {
            audit(AuditLog.Outcome.FAILED, error.getMessage());
        } else if (opened || error == null) {
            audit(error == null ? AuditLog.Outcome.CLOSED : AuditLog.Outcome.FAILED,
                    error == null ? "" : String.valueOf(error.getMessage()));
        }
        if (error == null) {
            closed.complete(null);
        } else {
            closed.completeExceptionally(error);
        }
    }

    final void audit(AuditLog.Outcome outcome, String detail) {
        owner.engine.audit(new AuditLog.Entry(Instant.now(), owner.owner(), id, accessKind, destination,
                auditAddress, outcome, detail == null ? "" : detail, bytesIn.get(), bytesOut.get()));
    }

    boolean isFinished() {
        return finished.get();
    }

    /** Fails a pending open (quota, policy, release, timeout). */
    abstract void failOpen(Throwable error);

    /**
     * An open step for a worker thread: a runtime failure in it (resolver, policy, MINA) fails the
     * open with a {@link org.rawsockets.socket.NetworkException} instead of leaving it pending forever.
     */
    final Runnable openStep(Runnable step, String what) {
        return () -> {
            try {
                step.run();
            } catch (RuntimeException e) {
                failOpen(NetworkReasons.of(what + " failed: " + e, e));
            }
        };
    }

    /** Closes as the owner's {@code close()} would. */
    abstract CompletableFuture<Void> closeSocket();

    /** The owner released the service: fail pending opens with {@code reason}, close the rest. */
    abstract void release(SocketClosedException reason);

    /** Bytes currently buffered for this socket (received unread + queued to send). */
    abstract long bufferedBytes();
}
