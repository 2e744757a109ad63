package org.rawsockets.print.internal.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.rawsockets.dnssd.DnsSd;
import org.rawsockets.dnssd.DnsSdException;
import org.rawsockets.dnssd.ServiceBrowse;
import org.rawsockets.dnssd.ServiceInfo;
import org.rawsockets.print.PrintConnectionException;
import org.rawsockets.print.PrintException;
import org.rawsockets.print.internal.PrinterUri;

/**
 * {@link PrinterDiscovery} on the DNS-SD bundle's {@link DnsSd} service (its exported API only).
 * Active only while a {@code DnsSd} service is registered; the package import is optional, so this
 * bundle resolves without the DNS-SD bundle.
 *
 * <p>A resolved instance becomes a URI by its type (RFC 6763 §7, the printer types of Apple's
 * Bonjour printing specification): {@code _ipp._tcp} → {@code ipp://address:port/rp},
 * {@code _ipps._tcp} → {@code ipps://…}, {@code _printer._tcp} → {@code lpd://address:port/rp}
 * (the queue), {@code _pdl-datastream._tcp} → {@code socket://address:port}. The host is the first
 * address (IPv4 first), since {@code .local} names are not resolved by the system resolver.
 */
@Component(service = PrinterDiscovery.class)
public final class DnsSdDiscoveryComponent implements PrinterDiscovery {

    private final DnsSd dnssd;

    @Activate
    public DnsSdDiscoveryComponent(@Reference DnsSd dnssd) {
        this.dnssd = dnssd;
    }

    @Override
    public PrinterUri resolve(String instanceName, Duration timeout) throws PrintException {
        ServiceInfo s;
        try {
            s = dnssd.resolve(instanceName, timeout).toCompletableFuture().get(timeout.toMillis() + 5_000,
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new PrintConnectionException("DNS-SD instance '" + instanceName + "' cannot be resolved: " + c.getMessage(), c);
        } catch (TimeoutException e) {
            throw new PrintConnectionException("DNS-SD instance '" + instanceName + "' was not resolved within "
                    + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrintConnectionException("resolving DNS-SD instance '" + instanceName + "' was interrupted", e);
        }
        return uri(s);
    }

    /** The printer URI of a resolved instance. */
    static PrinterUri uri(ServiceInfo s) throws PrintConnectionException {
        if (!s.resolved()) {
            throw new PrintConnectionException("DNS-SD instance '" + s.instanceName() + "' has no host, port or address yet");
        }
        String address = s.addresses().get(0);
        String rp = s.txt().getOrDefault("rp", "");
        String type = s.type().toLowerCase(Locale.ROOT);
        String h = address.contains(":") ? "[" + address + "]" : address;
        String text = switch (type) {
            case "_ipp._tcp" -> "ipp://" + h + ":" + s.port() + "/" + (rp.isEmpty() ? "ipp/print" : rp);
            case "_ipps._tcp" -> "ipps://" + h + ":" + s.port() + "/" + (rp.isEmpty() ? "ipp/print" : rp);
            case "_printer._tcp" -> "lpd://" + h + ":" + s.port() + "/" + (rp.isEmpty() ? "auto" : rp);
            case "_pdl-datastream._tcp" -> "socket://" + h + ":" + s.port();
            default -> throw new PrintConnectionException("DNS-SD instance '" + s.instanceName() + "' is of type "
                    + s.type() + ", not a printer type (" + String.join(", ", TYPES) + ")");
        };
        return PrinterUri.parse(text);
    }

    @Override
    public List<Discovered> discover(Duration time) throws PrintException, InterruptedException {
        List<ServiceBrowse> browses = new ArrayList<>();
        try {
            for (String t : TYPES) {
                browses.add(dnssd.browse(t));
            }
            long until = System.nanoTime() + time.toNanos();
            // the browses collect on their own; wait out the time on the first one's events
            long left;
            while ((left = until - System.nanoTime()) > 0) {
                browses.get(0).next(java.time.Duration.ofNanos(left));
            }
            List<CompletableFuture<ServiceInfo>> resolving = new ArrayList<>();
            List<ServiceInfo> found = new ArrayList<>();
            for (ServiceBrowse b : browses) {
                for (ServiceInfo s : b.services()) {
                    found.add(s);
                    resolving.add(s.resolved() ? CompletableFuture.completedFuture(s)
                            : dnssd.resolve(s.instanceName(), Duration.ofSeconds(3)).toCompletableFuture());
                }
            }
            List<Discovered> out = new ArrayList<>();
            for (int i = 0; i < found.size(); i++) {
                ServiceInfo s = found.get(i);
                PrinterUri u = null;
                try {
                    ServiceInfo r = resolving.get(i).get(10, TimeUnit.SECONDS);
                    u = uri(r);
                    s = r;
                } catch (ExecutionException | TimeoutException | PrintConnectionException e) {
                    // listed without a URI
                }
                out.add(new Discovered(s.instanceName(), s.type(), u, s.txt().getOrDefault("ty", "")));
            }
            return out;
        } catch (DnsSdException e) {
            throw new PrintConnectionException("printer discovery failed: " + e.getMessage(), e);
        } finally {
            browses.forEach(ServiceBrowse::close);
        }
    }
}
