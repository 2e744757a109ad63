package org.rawsockets.dnssd;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The DNS-SD client service (multicast DNS on the configured interface, RFC 6762/6763).
 *
 * <p>Service types are written {@code _ipp._tcp} (the domain {@code local} is added) or in full
 * ({@code _ipp._tcp.local}). Instance names are the full name with dots inside the instance label
 * escaped as {@code \.} (RFC 6763 §4.3), as {@link ServiceInfo#instanceName()} gives them:
 * {@code Office Printer 2\.1._ipp._tcp.local}; an unescaped name is accepted when the instance
 * label is everything before the service type ({@code Office Printer 2.1._ipp._tcp.local}).
 *
 * <p>The socket (UDP 5353, group 224.0.0.251 and, when configured, ff02::fb) is opened at the first
 * use; a failure to open it (a missing policy grant, no such interface) fails that use with a
 * {@link DnsSdNetworkException} and the next use tries again.
 */
@ProviderType
public interface DnsSd {

    /**
     * Starts following the instances of a service type: queries are sent at once, then at growing
     * intervals (1 s, 2 s, 4 s … up to an hour) with the instances already known listed as known
     * answers, and records are refreshed before their TTL runs out. Close the browse to stop.
     *
     * @throws IllegalArgumentException when the type is not {@code _service._tcp} / {@code _service._udp}
     *         (optionally followed by a domain)
     * @throws DnsSdException when the configured number of concurrent browses is reached
     */
    ServiceBrowse browse(String serviceType) throws DnsSdException;

    /** {@link #resolve(String, Duration)} with the configured {@code timeoutMillis}. */
    CompletionStage<ServiceInfo> resolve(String instanceName);

    /**
     * Resolves an instance: its SRV (host, port), TXT and the host's A/AAAA records, from the
     * cache when fresh, else asked for (first query with the unicast-response bit, then repeated
     * at 1 s, 2 s, 4 s … until the limit).
     *
     * @return fails with {@link DnsSdTimeoutException} naming what was missing, or
     *         {@link DnsSdNetworkException}
     */
    CompletionStage<ServiceInfo> resolve(String instanceName, Duration timeout);

    /**
     * One question, asked once with the unicast-response bit (RFC 6762 §5.4); completes with the
     * matching records of the first answer (and any already cached).
     *
     * @param type {@code A}, {@code AAAA}, {@code PTR}, {@code SRV}, {@code TXT}, {@code NSEC},
     *            {@code ANY} or {@code TYPE<n>}
     */
    CompletionStage<List<DnsSdRecord>> query(String name, String type, Duration timeout);

    /** Counters and the interface in use. */
    DnsSdStatus status();
}
