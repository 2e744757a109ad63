package org.rawsockets.mqtt.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.rawsockets.mqtt.MqttConnectionException;
import org.rawsockets.mqtt.internal.codec.Packet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keep-alive of the client's connection: a PINGREQ when nothing was sent for half the keep alive
 * the broker agreed to, and the connection lost when its PINGRESP has not come within the keep
 * alive (unless the client itself stopped reading for a full subscription buffer). Checked four
 * times per keep alive on the client's timer; guarded by the client's lock.
 */
final class KeepAlive {

    private static final Logger LOG = LoggerFactory.getLogger(KeepAlive.class);

    private final MqttClientImpl client;
    private ScheduledFuture<?> task;

    KeepAlive(MqttClientImpl client) {
        this.client = client;
    }

    /** Starts the checks for an established connection (under the lock). */
    void start(Connection c) {
        int keepAlive = c.keepAliveSeconds;
        if (keepAlive == 0) {
            return;
        }
        long period = Math.max(100, keepAlive * 1000L / 4);
        task = client.timer.scheduleAtFixedRate(() -> {
            try {
                check(c);
            } catch (RuntimeException e) {
                LOG.error("{}: keep-alive failed", client.where(), e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** Stops the checks: the connection ended (under the lock). */
    void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void check(Connection c) {
        boolean timedOut;
        synchronized (client) {
            if (client.conn != c) {
                return;
            }
            long now = System.nanoTime();
            long keepAlive = TimeUnit.SECONDS.toNanos(c.keepAliveSeconds);
            timedOut = c.pingSentAt != 0 && now - c.pingSentAt > keepAlive && !client.readingParked();
            if (!timedOut && c.pingSentAt == 0 && now - c.lastSentAt >= keepAlive / 2) {
                c.pingSentAt = now;
                c.send(Packet.Ping.REQ);
            }
        }
        if (timedOut) {
            client.lost(c, new MqttConnectionException(client.where() + ": no PINGRESP within the keep alive of "
                    + c.keepAliveSeconds + " s"));
        }
        client.runDeferred();
    }
}
