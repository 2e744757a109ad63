package org.rawsockets.socket.mina.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the socket engine (PID {@value EngineConfigComponent#PID}); checked as written by
 * {@link EngineConfigComponent}, which keeps the last good one when a value is invalid.
 */
@ObjectClassDefinition(name = "Raw Sockets engine (Apache MINA)",
        description = "I/O threads, timeouts and buffer bounds of the socket service. A valid change restarts the"
                + " engine: open sockets are closed. An invalid value is rejected (one ERROR line in the log) and the"
                + " last good configuration stays in force.")
public @interface EngineConfiguration {

    @AttributeDefinition(name = "I/O threads", min = "1", max = "64",
            description = "MINA NIO processor threads shared by all TCP and connected UDP sockets; at most 4 per"
                    + " core (and 64)")
    int ioThreads() default 2;

    @AttributeDefinition(name = "Connect timeout (ms)", min = "1", max = "3600000",
            description = "Default limit on resolve + connect + TLS handshake, when a socket sets none")
    long connectTimeoutMillis() default 30_000;

    @AttributeDefinition(name = "Close timeout (ms)", min = "1", max = "3600000",
            description = "Default close linger, when a socket sets none: how long closing a TCP socket may wait for"
                    + " the bytes still queued (and the TLS close_notify) to be sent before the connection is reset"
                    + " and closed() fails with a TimedOutException")
    long closeTimeoutMillis() default 30_000;

    @AttributeDefinition(name = "High-water mark (bytes)", min = "1024", max = "1073741824",
            description = "Per socket: bytes queued to send above which writes stop completing, and bytes received"
                    + " unread above which network reads are suspended")
    int highWaterMark() default 256 * 1024;

    @AttributeDefinition(name = "Low-water mark (bytes)", min = "0",
            description = "Per socket: level below which suspended writers and readers resume; below the high-water mark")
    int lowWaterMark() default 64 * 1024;

    @AttributeDefinition(name = "Max datagram size (bytes)", min = "1", max = "65507",
            description = "Largest UDP payload sent or received; larger sends are refused, larger datagrams dropped")
    int maxDatagramSize() default 65507;

    @AttributeDefinition(name = "UDP receive queue (datagrams)", min = "1", max = "65536",
            description = "Datagrams buffered per UDP socket before further ones are dropped and counted")
    int udpReceiveQueue() default 256;

    @AttributeDefinition(name = "Accept queue (connections)", min = "1", max = "65536",
            description = "Accepted connections buffered per server socket before accepting pauses")
    int acceptQueue() default 64;

    @AttributeDefinition(name = "Resolver threads", min = "1", max = "64",
            description = "Threads for blocking work (host name lookups, listener bind and close), off the I/O"
                    + " threads; one bundle uses at most half of them, its further tasks wait in its own queue")
    int resolverThreads() default 4;
}
