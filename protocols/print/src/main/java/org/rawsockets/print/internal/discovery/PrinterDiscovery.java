package org.rawsockets.print.internal.discovery;

import java.time.Duration;
import java.util.List;

import org.rawsockets.print.PrintException;
import org.rawsockets.print.internal.PrinterUri;

/**
 * Finding printers by DNS-SD, inside this bundle. Its only implementation
 * ({@link DnsSdDiscoveryComponent}) uses the DNS-SD bundle's exported API; nothing else in this
 * bundle refers to that API, so printing works without the DNS-SD bundle (this service is then
 * absent, and a printer configured by instance name says so when used).
 */
public interface PrinterDiscovery {

    /** The printer service types browsed: IPP, IPPS, LPD, raw 9100. */
    List<String> TYPES = List.of("_ipp._tcp", "_ipps._tcp", "_printer._tcp", "_pdl-datastream._tcp");

    /** One discovered printer instance. */
    record Discovered(String instanceName, String type, PrinterUri uri, String makeAndModel) {
    }

    /**
     * Resolves an instance ({@code Office._ipp._tcp.local}) to a printer URI now.
     *
     * @throws PrintException when it cannot be resolved in time (the message says why)
     */
    PrinterUri resolve(String instanceName, Duration timeout) throws PrintException;

    /** Browses the printer types for {@code time}; the instances found, resolved where possible. */
    List<Discovered> discover(Duration time) throws PrintException, InterruptedException;
}
