package org.rawsockets.socket.mina.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** One named endpoint (factory PID {@value EndpointComponent#FACTORY_PID}). */
@ObjectClassDefinition(name = "Raw Sockets named endpoint",
        description = "A destination bundles open by name (SocketService.openTcpEndpoint/openUdpEndpoint);"
                + " the operator decides where it is and how it is secured.")
public @interface EndpointConfiguration {

    @AttributeDefinition(name = "Name", description = "The name bundles use, e.g. 'mail' or 'plc-1'")
    String name();

    @AttributeDefinition(name = "Host", description = "Host name or IP literal")
    String host();

    @AttributeDefinition(name = "Port", min = "1", max = "65535")
    int port();

    @AttributeDefinition(name = "TLS", description = "TLS mode for TCP opens of this endpoint; a bundle's own mode"
            + " must agree (OFF opens ON endpoints with TLS; STARTTLS needs STARTTLS), otherwise its open is refused",
            options = { @Option(value = "OFF", label = "off"), @Option(value = "ON", label = "on (implicit TLS)"),
                    @Option(value = "STARTTLS", label = "STARTTLS (upgraded by the protocol)") })
    String tls() default "OFF";

    @AttributeDefinition(name = "Server name", required = false,
            description = "SNI host name and certificate name to verify; empty: the host")
    String serverName() default "";

    @AttributeDefinition(name = "CA certificates (PEM)", required = false,
            description = "PEM CA certificates that replace the JDK trust store for this endpoint (bundles cannot"
                    + " replace them, nor turn off host name verification)")
    String caCertificatesPem() default "";

    @AttributeDefinition(name = "CA certificates file", required = false,
            description = "Path of a PEM file of CA certificates (used when the PEM text is empty)")
    String caCertificatesPath() default "";

    @AttributeDefinition(name = "Description", required = false)
    String description() default "";
}
