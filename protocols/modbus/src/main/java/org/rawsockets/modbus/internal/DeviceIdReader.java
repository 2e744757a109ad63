package org.rawsockets.modbus.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.rawsockets.modbus.DeviceIdCategory;
import org.rawsockets.modbus.DeviceIdentification;
import org.rawsockets.modbus.ModbusProtocolException;
import org.rawsockets.modbus.internal.codec.Pdus.DeviceIdPage;
import org.rawsockets.modbus.internal.codec.Pdus;
import org.rawsockets.modbus.internal.codec.Request;

/**
 * Read Device Identification (43/14): one request per "more follows" page until the category is
 * complete, at most {@value #MAX_DEVICE_ID_ROUNDS} round trips, each a request of the client.
 */
final class DeviceIdReader {

    /** Round trips of one 43/14 "more follows" sequence, at most. */
    static final int MAX_DEVICE_ID_ROUNDS = 64;

    /** Submits one request of the client. */
    interface Submitter {
        CompletionStage<DeviceIdPage> submit(int unitId, Request<DeviceIdPage> request);
    }

    private final Submitter submitter;
    private final String who;

    DeviceIdReader(Submitter submitter, String who) {
        this.submitter = submitter;
        this.who = who;
    }

    CompletionStage<DeviceIdentification> read(int unitId, DeviceIdCategory category) {
        CompletableFuture<DeviceIdentification> result = new CompletableFuture<>();
        round(unitId, category, 0, 0, new LinkedHashMap<>(), result);
        return result;
    }

    private void round(int unitId, DeviceIdCategory category, int objectId, int round,
            Map<Integer, byte[]> objects, CompletableFuture<DeviceIdentification> result) {
        submitter.submit(unitId, Pdus.readDeviceIdentification(category, objectId)).whenComplete((page, e) -> {
            if (e != null) {
                result.completeExceptionally(unwrap(e));
                return;
            }
            for (Map.Entry<Integer, byte[]> o : page.objects().entrySet()) {
                if (objects.size() < 256) {
                    objects.put(o.getKey(), o.getValue());
                }
            }
            int lastOfCategory = switch (category) {
                case BASIC -> 0x02;
                case REGULAR -> 0x7F;
                case EXTENDED -> 0xFF;
            };
            if (!page.moreFollows() || page.nextObjectId() > lastOfCategory) {
                // Some devices (npm modbus-serial among them) announce objects beyond the requested
                // category; what belongs to the category has arrived, so stop there.
                result.complete(new DeviceIdentification(page.conformityLevel(), objects));
            } else if (round + 1 >= MAX_DEVICE_ID_ROUNDS || page.nextObjectId() <= objectId) {
                result.completeExceptionally(new ModbusProtocolException(who + " unit " + unitId
                        + ": Read Device Identification does not progress (next object id " + page.nextObjectId()
                        + " after " + objectId + ", round " + (round + 1) + ")"));
            } else {
                round(unitId, category, page.nextObjectId(), round + 1, objects, result);
            }
        });
    }

    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
