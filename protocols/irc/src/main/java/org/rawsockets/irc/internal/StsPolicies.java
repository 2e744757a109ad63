package org.rawsockets.irc.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IRCv3 STS policies (host to TLS port and expiry), at most {@value #MAX} hosts (the ones expiring
 * first are dropped beyond it). Kept in a file when one is given (one line per host:
 * {@code host port expiryEpochSeconds}; read at each look-up, rewritten atomically at each change, so
 * several clients and a restart see the same policies), else in this JVM's memory.
 */
final class StsPolicies {

    static final int MAX = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(StsPolicies.class);
    /** The policies of clients without a file, shared in this JVM. */
    static final StsPolicies MEMORY = new StsPolicies(null);

    record Policy(int port, long expiresEpochSecond) {
    }

    private final Path file;
    private final Map<String, Policy> memory = new LinkedHashMap<>();

    StsPolicies(Path file) {
        this.file = file;
    }

    static StsPolicies of(Path file) {
        return file == null ? MEMORY : new StsPolicies(file);
    }

    private static String key(String host) {
        return host.toLowerCase(Locale.ROOT);
    }

    /** The policy for {@code host} that has not expired at {@code now}. */
    synchronized Optional<Policy> get(String host, Instant now) {
        Policy p = load().get(key(host));
        return p != null && p.expiresEpochSecond() > now.getEpochSecond() ? Optional.of(p) : Optional.empty();
    }

    /** Records (or with {@code durationSeconds} 0 removes) the policy the server announced over TLS. */
    synchronized void put(String host, int port, long durationSeconds, Instant now) {
        Map<String, Policy> all = load();
        all.values().removeIf(p -> p.expiresEpochSecond() <= now.getEpochSecond());
        if (durationSeconds <= 0) {
            all.remove(key(host));
        } else {
            all.put(key(host), new Policy(port, now.getEpochSecond() + Math.min(durationSeconds, 10L * 365 * 86_400)));
        }
        while (all.size() > MAX) {
            String soonest = all.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().expiresEpochSecond()))
                    .orElseThrow().getKey();
            all.remove(soonest);
        }
        save(all);
    }

    private Map<String, Policy> load() {
        if (file == null) {
            return memory;
        }
        Map<String, Policy> m = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return m;
        }
        try {
            List<String> lines = Files.readAllLines(file, UTF_8);
            for (String line : lines.subList(0, Math.min(lines.size(), MAX))) {
                String[] f = line.strip().split(" ");
                try {
                    if (f.length == 3) {
                        m.put(key(f[0]), new Policy(Integer.parseInt(f[1]), Long.parseLong(f[2])));
                    }
                } catch (NumberFormatException e) {
                    // a damaged line is skipped
                }
            }
        } catch (IOException e) {
            LOG.warn("IRC STS policies: {} could not be read ({}); the policies in it are not applied", file,
                    e.getMessage());
        }
        return m;
    }

    private void save(Map<String, Policy> all) {
        if (file == null) {
            return;
        }
        List<String> lines = new ArrayList<>();
        all.forEach((h, p) -> lines.add(h + " " + p.port() + " " + p.expiresEpochSecond()));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, lines, UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("IRC STS policies: {} could not be written ({}); the policy is not kept", file,
                    e.getMessage());
        }
    }
}
