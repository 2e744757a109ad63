package org.rawsockets.irc;

/** A listener's subscription to a client: close it to stop the deliveries. */
public interface IrcSubscription extends AutoCloseable {

    /** Messages dropped for this listener so far because its buffer was full. */
    long lost();

    /** Stops deliveries; messages still buffered are dropped. */
    @Override
    void close();
}
