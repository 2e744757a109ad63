package org.rawsockets.modbus.internal;

import java.util.concurrent.CompletableFuture;

import org.rawsockets.modbus.internal.codec.Request;

/**
 * One request from submit to completion. Apart from {@link #done}, its fields are guarded by the
 * client's lock.
 */
final class PendingRequest<T> {
    final Request<T> request;
    final int unitId;
    final CompletableFuture<T> future = new CompletableFuture<>();
    long deadline;
    PendingRequest<?> prev; // deadline list
    PendingRequest<?> next;
    int transaction = -1;
    boolean sent;
    /** Written under lock before the client completes the future; read without it when the caller completed it. */
    volatile boolean done;

    PendingRequest(Request<T> request, int unitId) {
        this.request = request;
        this.unitId = unitId;
    }
}
