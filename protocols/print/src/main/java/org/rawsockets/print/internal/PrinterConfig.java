package org.rawsockets.print.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One printer (factory PID {@code org.rawsockets.print.printer}). */
@ObjectClassDefinition(id = PrinterComponent.PID, name = "Raw Sockets printer",
        description = "A printer reached over IPP/IPPS, LPD or raw 9100; each configuration registers one Printer"
                + " service with property name.")
public @interface PrinterConfig {

    @AttributeDefinition(description = "Name of this printer: the Printer service property 'name' and the shell"
            + " commands' printer argument")
    String name();

    @AttributeDefinition(description = "ipp://host[:631]/path, ipps://host[:631]/path, lpd://host[:515]/queue,"
            + " socket://host[:9100], or dnssd:<instance>._ipp._tcp.local (a DNS-SD instance name resolved at use;"
            + " needs the DNS-SD bundle)")
    String uri();

    @AttributeDefinition(required = false, description = "User name: IPP requesting-user-name and HTTP"
            + " authentication user, the LPD control file's P line; empty: rawsockets")
    String user() default "";

    /**
     * Property {@code .password}: {@code secret:NAME}, the file NAME in the gateway's secrets folder;
     * a literal password is refused. Private (leading dot): not copied to the service registration.
     */
    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "secret:NAME, where the"
            + " file NAME in the gateway's secrets/ folder (mode 0600) holds the HTTP Basic/Digest password of an IPP"
            + " printer; a password written here is refused")
    String _password() default "";

    @AttributeDefinition(required = false, description = "Path of a PEM file with the CA certificates to trust"
            + " for ipps:// instead of the JDK trust store (the same property name as on socket endpoints)")
    String caCertificatesPath() default "";

    @AttributeDefinition(description = "Verify that the ipps:// printer's certificate matches the host name")
    boolean verifyHostname() default true;

    @AttributeDefinition(description = "Raw 9100 only: wrap jobs in PJL (UEL, @PJL JOB/EOJ) and ask status with"
            + " @PJL INFO STATUS")
    boolean pjl() default false;

    @AttributeDefinition(description = "Raw 9100 with pjl=true: ask the printer for unsolicited status (@PJL USTATUS"
            + " JOB=ON, DEVICE=ON) and, after sending a job, wait for its END message (pages printed; device errors"
            + " on the way become the job's reasons): at most timeoutMillis between messages and jobTimeoutMillis in"
            + " all. A printer without USTATUS leaves the job state UNKNOWN, as without this")
    boolean pjlJobStatus() default false;

    @AttributeDefinition(description = "LPD only: the host name in the control file (H line) and file names")
    String lpdHostName() default "gateway";

    @AttributeDefinition(description = "LPD only: connect from a free one of RFC 1179's reserved source ports 721-731,"
            + " as BSD lpd and LPRng with a PORT rule demand. The gateway needs root or CAP_NET_BIND_SERVICE, and the"
            + " policy a grant naming every port: org.rawsockets.print tcp-bind 0.0.0.0 721,722,...,731")
    boolean lpdReservedPorts() default false;

    @AttributeDefinition(name = "Connect timeout (ms)", min = "1", description = "TCP connect plus TLS handshake")
    long connectTimeoutMillis() default 10000;

    @AttributeDefinition(name = "Timeout (ms)", min = "1", description = "The longest wait for the printer's next"
            + " bytes, or for it to take the next chunk of a document")
    long timeoutMillis() default 30000;

    @AttributeDefinition(name = "Job timeout (ms)", min = "1", description = "How long the shell's send follows a"
            + " job until completed, canceled or aborted")
    long jobTimeoutMillis() default 300000;

    @AttributeDefinition(description = "The largest IPP response accepted (bytes)", min = "1024", max = "67108864")
    int maxResponseBytes() default 4194304;

    @AttributeDefinition(description = "Size of one chunk of a streamed document (bytes); memory per upload is two",
            min = "512", max = "4194304")
    int chunkSize() default 131072;
}
