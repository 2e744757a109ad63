package org.rawsockets.mqtt.internal;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-authentication on a schedule ({@link MqttSettings#reauthInterval}): the connection's next
 * re-authentication runs that long after its last successful authentication (the CONNACK, or a
 * re-authentication asked for by a caller or by this schedule). A failure needs nothing here: the
 * connection is lost (refused, no answer, wrong proof), the client reconnects and authenticates in
 * full, and the CONNACK starts the schedule again. On the client's timer; guarded by the client's lock.
 */
final class ReauthSchedule {

    private static final Logger LOG = LoggerFactory.getLogger(ReauthSchedule.class);

    private final MqttClientImpl client;
    private ScheduledFuture<?> task;
    /** Changes whenever the schedule is set or stopped: a timer task already running for an older one does nothing. */
    private int generation;

    ReauthSchedule(MqttClientImpl client) {
        this.client = client;
    }

    /**
     * The connection authenticated successfully (under the lock): the next re-authentication is due an
     * interval from now.
     */
    void authenticated(Connection c) {
        stop();
        long millis = client.settings.reauthInterval.toMillis();
        if (millis == 0 || c.auth == null) {
            return;
        }
        int g = generation;
        try {
            task = client.timer.schedule(() -> due(c, g), millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the client was closed: nothing to schedule
        }
    }

    /** The connection ended, or the client was disconnected (under the lock). */
    void stop() {
        generation++;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void due(Connection c, int g) {
        CompletionStage<Void> r;
        synchronized (client) {
            if (g != generation || client.conn != c || !c.established) {
                return; // rescheduled (a re-authentication succeeded meanwhile) or the connection ended
            }
            task = null;
            LOG.debug("{}: scheduled re-authentication", client.where());
            r = EnhancedAuth.reauthenticate(client, c);
        }
        client.runDeferred();
        r.whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("{}: scheduled re-authentication failed: {}", client.where(), MqttClientImpl.describe(e));
            }
        });
    }
}
