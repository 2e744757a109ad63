package org.rawsockets.mqtt.internal;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outgoing topic aliases of one connection (MQTT 5): topic name to alias number, at most
 * {@code maximum} entries (the smaller of the broker's Topic Alias Maximum from CONNACK and this
 * client's {@code outgoingTopicAliasMaximum}), numbers 1..maximum. Policy: least recently used. A
 * topic gets an alias on its first publication (sent with the topic name and the alias, which sets
 * the broker's mapping); later publications to it send the alias and an empty topic name. When all
 * numbers are taken, the least recently published topic loses its alias and its number is given to
 * the new topic (sent with the topic name again, which replaces the broker's mapping). A new
 * connection starts with an empty map (aliases do not outlive a network connection, MQTT 5
 * 3.3.2.3.4). Guarded by the client's lock.
 */
final class OutgoingAliases {

    private final int maximum;
    private final LinkedHashMap<String, Integer> byTopic;
    private final ArrayDeque<Integer> freed = new ArrayDeque<>();
    private int nextNumber = 1;
    /** Publications sent with an alias only (empty topic name). */
    long hits;
    /** Aliases set (topic name and alias sent). */
    long assigned;

    OutgoingAliases(int maximum) {
        if (maximum < 0 || maximum > 65535) {
            throw new IllegalArgumentException("maximum must be 0..65535, was " + maximum);
        }
        this.maximum = maximum;
        this.byTopic = new LinkedHashMap<>(Math.min(maximum, 1024) * 2, 0.75f, true);
    }

    int maximum() {
        return maximum;
    }

    int size() {
        return byTopic.size();
    }

    /**
     * The alias to send with a publication to {@code topic}: {@code > 0} the topic has that alias
     * (send an empty topic name), {@code < 0} the topic was just given alias {@code -result} (send
     * the topic name with it), {@code 0} no alias (aliases are off).
     */
    int lookup(String topic) {
        if (maximum == 0) {
            return 0;
        }
        Integer known = byTopic.get(topic); // access order: marks it most recently used
        if (known != null) {
            hits++;
            return known;
        }
        int number;
        if (!freed.isEmpty()) {
            number = freed.poll();
        } else if (nextNumber <= maximum) {
            number = nextNumber++;
        } else {
            Iterator<Map.Entry<String, Integer>> eldest = byTopic.entrySet().iterator();
            number = eldest.next().getValue();
            eldest.remove();
        }
        byTopic.put(topic, number);
        assigned++;
        return -number;
    }

    /**
     * Forgets the alias just given to {@code topic} by {@link #lookup} because that publication was
     * not sent (the broker never learnt it); its number is given out again.
     */
    void unassign(String topic) {
        Integer number = byTopic.remove(topic);
        if (number != null) {
            freed.add(number);
            assigned--;
        }
    }

    /** For tests: the alias of {@code topic} or {@code null}, without touching the order. */
    Integer peek(String topic) {
        return byTopic.entrySet().stream().filter(e -> e.getKey().equals(topic)).map(Map.Entry::getValue).findFirst()
                .orElse(null);
    }
}
