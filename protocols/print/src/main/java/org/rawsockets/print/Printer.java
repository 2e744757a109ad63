package org.rawsockets.print;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One configured printer, registered as an OSGi service with the property {@value #NAME} (one
 * per factory configuration {@code org.rawsockets.print.printer}), reached over IPP/IPPS, LPD or raw
 * 9100 depending on its URI. What a protocol cannot do fails with
 * {@link UnsupportedPrintOperationException}.
 *
 * <p><b>Blocking.</b> Every method blocks the calling thread until the printer answered, each wait
 * bounded by the printer's configured timeouts; call it from a worker thread, never from an I/O
 * thread of the socket service. Failures are {@link PrintException} subtypes naming the printer.
 */
@ProviderType
public interface Printer {

    /** The service property holding the printer's configured name. */
    String NAME = "name";

    /** The configured name. */
    String name();

    /**
     * The printer's URI as configured (ipp://, ipps://, lpd://, socket://), never with credentials; for a
     * printer configured by DNS-SD instance name, {@code dnssd:<instance>} followed by {@code " -> "} and the
     * URI it last resolved to, once resolved.
     */
    String uri();

    /** The printer's state: IPP printer-state and reasons; LPD short queue state; PJL INFO STATUS for raw. */
    PrinterStatus status() throws PrintException;

    /** IPP Get-Printer-Attributes; all attributes when {@code names} is empty. */
    List<IppAttribute> attributes(List<String> names) throws PrintException;

    /** IPP Validate-Job: would the printer take a job with these options? Fails with the printer's reason if not. */
    void validate(JobOptions options) throws PrintException;

    /**
     * Sends one document as one job (IPP Print-Job, LPD receive-job, raw stream).
     *
     * @return the job as the printer reported it right after taking it
     */
    JobStatus print(Document document, JobOptions options, ProgressListener progress) throws PrintException;

    /** Sends several documents as one job (IPP Create-Job + Send-Document, LPD data files, raw one after the other). */
    JobStatus print(List<Document> documents, JobOptions options, ProgressListener progress) throws PrintException;

    /** IPP Get-Job-Attributes / the job's line in an LPD long queue listing. */
    JobStatus job(int id) throws PrintException;

    /** The printer's not-completed jobs (IPP Get-Jobs, LPD queue). */
    List<JobStatus> jobs() throws PrintException;

    /** IPP Cancel-Job / LPD remove jobs. */
    void cancel(int id) throws PrintException;

    /** IPP Identify-Printer (the printer beeps or flashes). */
    void identify() throws PrintException;

    /**
     * Follows a job until it is completed, canceled or aborted.
     *
     * @return the terminal state as reported
     * @throws PrintTimeoutException when it is not terminal by then (the message says its last state)
     */
    JobStatus awaitJob(int id, Duration timeout) throws PrintException;
}
