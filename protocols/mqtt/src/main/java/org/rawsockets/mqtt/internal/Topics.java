package org.rawsockets.mqtt.internal;

/** Topic name and filter rules (specification 4.7). */
final class Topics {
    private Topics() {
    }

    /** The filter without a {@code $share/group/} prefix. */
    static String matchFilter(String filter) {
        if (filter.startsWith("$share/")) {
            int slash = filter.indexOf('/', 7);
            return slash < 0 ? filter : filter.substring(slash + 1);
        }
        return filter;
    }

    /** Checks a topic filter's wildcards: {@code #} last and alone in its level, {@code +} alone in its level. */
    static void validateFilter(String filter) {
        if (filter.isEmpty()) {
            throw new IllegalArgumentException("a topic filter must not be empty");
        }
        String[] levels = matchFilter(filter).split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.contains("#") && (!l.equals("#") || i != levels.length - 1)) {
                throw new IllegalArgumentException("topic filter '" + filter + "': '#' must be the whole last level");
            }
            if (l.contains("+") && !l.equals("+")) {
                throw new IllegalArgumentException("topic filter '" + filter + "': '+' must be a whole level");
            }
        }
    }

    /** Whether {@code topic} matches {@code filter} (a filter without a share prefix). */
    static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        int f = 0;
        int t = 0;
        int fl = filter.length();
        int tl = topic.length();
        while (true) {
            int fe = filter.indexOf('/', f);
            if (fe < 0) {
                fe = fl;
            }
            String level = filter.substring(f, fe);
            if (level.equals("#")) {
                return true;
            }
            if (t > tl) {
                // topic ended; "a/#" also matches "a"
                return false;
            }
            int te = topic.indexOf('/', t);
            if (te < 0) {
                te = tl;
            }
            if (!level.equals("+") && !level.equals(topic.substring(t, te))) {
                return false;
            }
            boolean fEnd = fe == fl;
            boolean tEnd = te == tl;
            if (fEnd && tEnd) {
                return true;
            }
            if (fEnd) {
                return false;
            }
            if (tEnd) {
                // the topic ended: only a remaining "#" matches (its parent level)
                return filter.substring(fe + 1).equals("#");
            }
            f = fe + 1;
            t = te + 1;
        }
    }
}
