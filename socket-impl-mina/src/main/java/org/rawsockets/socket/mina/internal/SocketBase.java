package org.rawsockets.socket.mina.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.rawsockets.socket.NotAllowedException;
import org.rawsockets.socket.SocketClosedException;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.SocketKind;
import org.rawsockets.socket.SocketState;
import org.rawsockets.socket.mina.internal.policy.AccessKind;
import org.rawsockets.socket.mina.internal.policy.AuditLog;

/**
 * What every socket shares: identity, owner, state, counters, registry and audit life cycle.
 *
 * <p>Counters and flags are plain fields updated through {@link VarHandle}s rather than atomic
 * objects: a gateway keeps thousands of idle sockets, and each atomic object costs 16-24 bytes
 * more per socket than its field.
 */
abstract class SocketBase {

    private static final VarHandle BYTES_IN;
    private static final VarHandle BYTES_OUT;
    private static final VarHandle PENDING_DONE;
    private static final VarHandle FINISHED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            BYTES_IN = l.findVarHandle(SocketBase.class, "bytesIn", long.class);
            BYTES_OUT = l.findVarHandle(SocketBase.class, "bytesOut", long.class);
            PENDING_DONE = l.findVarHandle(SocketBase.class, "pendingDone", boolean.class);
            FINISHED = l.findVarHandle(SocketBase.class, "finished", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long id;
    final OwnedService owner;
    final SocketKind kind;
    final AccessKind accessKind;
    final String destination;
    /** When the socket was created, epoch seconds and nanoseconds (an {@link Instant} on demand). */
    private final long createdSeconds;
    private final int createdNanos;
    private volatile long bytesIn;
    private volatile long bytesOut;
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile SocketState state = SocketState.OPENING;
    volatile InetSocketAddress localAddress;
    volatile InetSocketAddress remoteAddress;
    /** The resolved address the policy checked, for the audit log. */
    volatile InetSocketAddress auditAddress;
    private volatile boolean pendingDone;
    private volatile boolean finished;
    private volatile boolean registered;

    SocketBase(OwnedService owner, SocketKind kind, AccessKind accessKind, String destination) {
        this.id = owner.engine.nextId();
        this.owner = owner;
        this.kind = kind;
        this.accessKind = accessKind;
        this.destination = destination;
        Instant now = Instant.now();
        this.createdSeconds = now.getEpochSecond();
        this.createdNanos = now.getNano();
    }

    /** When the socket was created. */
    final Instant createdAt() {
        return Instant.ofEpochSecond(createdSeconds, createdNanos);
    }

    /** Bytes received so far. */
    final long bytesIn() {
        return bytesIn;
    }

    /** Bytes sent so far. */
    final long bytesOut() {
        return bytesOut;
    }

    /** Counts received bytes (any thread). */
    final void countIn(long n) {
        BYTES_IN.getAndAdd(this, n);
    }

    /** Counts sent bytes (any thread). */
    final void countOut(long n) {
        BYTES_OUT.getAndAdd(this, n);
    }

    /** Sets the pending-open flag once; true for the caller that set it. */
    private boolean markPendingDone() {
        return PENDING_DONE.compareAndSet(this, false, true);
    }

    /** Registers with the owner, checking its quotas; on refusal the socket fails at once. */
    final boolean admit(boolean pending) {
        try {
            owner.admit(this, pending);
            registered = true;
            if (!pending) {
                pendingDone = true;
            }
            return true;
        } catch (NotAllowedException e) {
            pendingDone = true;
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
                bytesIn, bytesOut, createdAt());
    }

    /** Marks the open complete (counts, audit). */
    final void markOpen() {
        if (markPendingDone()) {
            owner.pendingDone();
        }
        if (state == SocketState.OPENING) {
            state = SocketState.OPEN;
        }
        audit(AuditLog.Outcome.OPENED, "");
    }

    /** Marks the socket done: unregisters, audits, completes or fails {@link #closed}. */
    final void markFinished(Throwable error, boolean opened) {
        if (!FINISHED.compareAndSet(this, false, true)) {
            return;
        }
        if (markPendingDone()) {
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
                auditAddress, outcome, detail == null ? "" : detail, bytesIn, bytesOut));
    }

    boolean isFinished() {
        return finished;
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
