package org.rawsockets.coap;

/** A live Observe registration (RFC 7641); notifications go to the listener given to {@code observe}. */
public interface CoapObservation extends AutoCloseable {

    /** Notifications delivered so far (the initial response counts as the first). */
    long notifications();

    /** Whether the registration is still live (not cancelled, not failed). */
    boolean isActive();

    /** Cancels the registration with a GET carrying Observe: 1 (proactive cancel); idempotent. */
    @Override
    void close();
}
