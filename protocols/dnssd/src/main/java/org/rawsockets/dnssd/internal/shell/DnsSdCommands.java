package org.rawsockets.dnssd.internal.shell;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.rawsockets.dnssd.DnsSd;
import org.rawsockets.dnssd.DnsSdException;
import org.rawsockets.dnssd.DnsSdRecord;
import org.rawsockets.dnssd.DnsSdStatus;
import org.rawsockets.dnssd.ServiceBrowse;
import org.rawsockets.dnssd.ServiceEvent;
import org.rawsockets.dnssd.ServiceInfo;

/** Gogo commands of scope {@code dnssd}: browse, resolve, query, status. */
@Component(service = DnsSdCommands.class, property = { "osgi.command.scope=dnssd", "osgi.command.function=browse",
    "osgi.command.function=resolve", "osgi.command.function=query", "osgi.command.function=status" })
public final class DnsSdCommands {

    static final int MAX_SECONDS = 3600;
    private final DnsSd dnssd;
    private final PrintStream out;

    @Activate
    public DnsSdCommands(@Reference DnsSd dnssd) {
        this(dnssd, System.out);
    }

    DnsSdCommands(DnsSd dnssd, PrintStream out) {
        this.dnssd = dnssd;
        this.out = out;
    }

    @Descriptor("browse a service type for 5 seconds: events as they come, then the instances found")
    public String browse(@Descriptor("service type, e.g. _ipp._tcp") String type) throws DnsSdException, InterruptedException {
        return browse(type, 5);
    }

    @Descriptor("browse a service type: found/updated/gone events as they come, then the instances found")
    public String browse(@Descriptor("service type, e.g. _ipp._tcp") String type,
            @Descriptor("seconds to browse (1..3600)") int seconds) throws DnsSdException, InterruptedException {
        if (seconds < 1 || seconds > MAX_SECONDS) {
            throw new IllegalArgumentException("seconds must be in 1.." + MAX_SECONDS + ", was " + seconds);
        }
        try (ServiceBrowse b = dnssd.browse(type)) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long left;
            while ((left = until - System.nanoTime()) > 0) {
                Optional<ServiceEvent> e = b.next(Duration.ofNanos(left));
                e.ifPresent(ev -> out.println(ev.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + ev.service()));
            }
            List<ServiceInfo> found = b.services();
            StringBuilder s = new StringBuilder(found.size() + " instance(s) of " + b.serviceType() + " after " + seconds
                    + " s" + (b.droppedEvents() > 0 ? " (" + b.droppedEvents() + " events dropped)" : "") + "\n");
            for (ServiceInfo i : found) {
                s.append("  ").append(i).append('\n');
            }
            return s.toString();
        }
    }

    @Descriptor("resolve a service instance: host, port, addresses, TXT")
    public String resolve(@Descriptor("instance name, e.g. 'Office Printer._ipp._tcp.local'") String instance)
            throws Exception {
        ServiceInfo i = await(dnssd.resolve(instance), "resolve " + instance);
        StringBuilder s = new StringBuilder(i.instanceName()).append('\n');
        s.append("  host      ").append(i.host()).append(':').append(i.port()).append('\n');
        s.append("  addresses ").append(String.join(", ", i.addresses())).append('\n');
        for (Map.Entry<String, String> e : i.txt().entrySet()) {
            s.append("  txt       ").append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return s.toString();
    }

    @Descriptor("ask one question once (unicast response requested) and print the answer's records")
    public String query(@Descriptor("name, e.g. printer.local") String name,
            @Descriptor("type: A, AAAA, PTR, SRV, TXT, NSEC, ANY or TYPE<n>") String type) throws Exception {
        List<DnsSdRecord> rs = await(dnssd.query(name, type, Duration.ofSeconds(5)), "query " + name + " " + type);
        StringBuilder s = new StringBuilder();
        rs.forEach(r -> s.append(r).append('\n'));
        return s.toString();
    }

    @Descriptor("the DNS-SD client's interface and counters")
    public String status() {
        DnsSdStatus st = dnssd.status();
        return "interface " + (st.networkInterface().isEmpty() ? "(default)" : st.networkInterface()) + ", socket "
                + (st.open() ? "open" : "closed") + ", received " + st.datagramsReceived() + ", malformed "
                + st.malformedMessages() + ", queries sent " + st.queriesSent() + ", cached " + st.cachedRecords()
                + ", evicted " + st.cacheEvictions() + ", browses " + st.browses()
                + (st.lastError().isEmpty() ? "" : "\nlast error: " + st.lastError()) + "\n";
    }

    /** Waits (bounded: the operation has its own limit, plus a margin) and unwraps the typed error. */
    private static <T> T await(CompletionStage<T> stage, String what) throws Exception {
        try {
            return stage.toCompletableFuture().get(MAX_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception c) {
                throw c;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new DnsSdException(what + ": no result within " + MAX_SECONDS + " s");
        }
    }
}
