package org.rawsockets.socket.mina.internal.osgi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One configured named endpoint, fed into the engine while the configuration exists. */
@Designate(ocd = EndpointConfiguration.class, factory = true)
@Component(service = {}, configurationPid = EndpointComponent.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class EndpointComponent {

    /** Factory configuration PID. */
    public static final String FACTORY_PID = "org.rawsockets.socket.endpoint";

    private static final Logger LOG = LoggerFactory.getLogger(EndpointComponent.class);

    private final MinaSocketEngine engine;
    private final MinaSocketEngine.Endpoint endpoint;

    @Activate
    public EndpointComponent(@Reference SocketEngineComponent engine, EndpointConfiguration config) {
        this.engine = engine.engine();
        this.endpoint = toEndpoint(config);
        this.engine.putEndpoint(endpoint);
        LOG.info("endpoint '{}' -> {}:{} (tls {})", endpoint.info().name(), endpoint.info().host(),
                endpoint.info().port(), endpoint.info().tls());
    }

    /** Checks a configuration; {@link IllegalArgumentException} names the property and the rule. */
    static MinaSocketEngine.Endpoint toEndpoint(EndpointConfiguration c) {
        String name = c.name() == null ? "" : c.name().strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException(FACTORY_PID + ": 'name' is required");
        }
        String host = c.host() == null ? "" : c.host().strip();
        if (host.isEmpty()) {
            throw new IllegalArgumentException(FACTORY_PID + " '" + name + "': 'host' is required");
        }
        if (c.port() < 1 || c.port() > 65535) {
            throw new IllegalArgumentException(FACTORY_PID + " '" + name + "': 'port' must be in 1..65535, was "
                    + c.port());
        }
        TlsMode tls;
        try {
            tls = TlsMode.valueOf(c.tls().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(FACTORY_PID + " '" + name + "': 'tls' must be OFF, ON or STARTTLS, was '"
                    + c.tls() + "'");
        }
        String pem = blankToNull(c.caCertificatesPem());
        String path = blankToNull(c.caCertificatesPath());
        if (pem == null && path != null) {
            try {
                pem = Files.readString(Path.of(path), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalArgumentException(FACTORY_PID + " '" + name + "': cannot read caCertificatesPath "
                        + path + ": " + e.getMessage(), e);
            }
        }
        if (pem != null && !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(FACTORY_PID + " '" + name
                    + "': the CA certificates are not PEM (-----BEGIN CERTIFICATE-----)");
        }
        return new MinaSocketEngine.Endpoint(
                new EndpointInfo(name, host, c.port(), tls, blankToNull(c.serverName()), c.description()), pem);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Deactivate
    void deactivate() {
        engine.removeEndpoint(endpoint);
    }
}
