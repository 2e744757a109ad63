package org.rawsockets.socket.mina.internal.osgi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.config.ConfigCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured named endpoint, fed into the engine while the configuration exists. A configuration
 * that is invalid, or whose {@code name} another endpoint configuration already has, is rejected with
 * one ERROR line in the log (PID, field, problem, rule) and configures nothing; unknown keys get a
 * WARN line naming the nearest known key.
 */
@Designate(ocd = EndpointConfiguration.class, factory = true)
@Component(service = {}, configurationPid = EndpointComponent.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class EndpointComponent {

    /** Factory configuration PID. */
    public static final String FACTORY_PID = "org.rawsockets.socket.endpoint";

    /** The configuration properties. */
    static final List<String> KEYS = ConfigCheck.keysOf(EndpointConfiguration.class);

    private static final Logger LOG = LoggerFactory.getLogger(EndpointComponent.class);

    /** Endpoint name -> the configuration (PID and file) that has it; first come, first served. */
    private static final Map<String, String> NAMES = new ConcurrentHashMap<>();

    private final MinaSocketEngine engine;
    /** Null when the configuration was rejected. */
    private final MinaSocketEngine.Endpoint endpoint;
    private final String owner;

    @Activate
    public EndpointComponent(@Reference SocketEngineComponent engine, EndpointConfiguration config,
            Map<String, Object> properties) {
        this.engine = engine.engine();
        this.owner = ConfigCheck.describe(FACTORY_PID, properties);
        for (String w : ConfigCheck.unknownKeys(properties, KEYS, List.of())) {
            LOG.warn("configuration {}: {}", owner, w);
        }
        MinaSocketEngine.Endpoint e = null;
        try {
            checkRaw(properties);
            e = toEndpoint(config);
            String first = NAMES.putIfAbsent(e.info().name(), owner);
            if (first != null) {
                throw new ConfigCheck.Problem("name", e.info().name(), "already the name of the endpoint of "
                        + first, "endpoint names are unique; rename one of the two");
            }
        } catch (IllegalArgumentException p) { // ConfigCheck.Problem
            LOG.error("configuration rejected: {} {}; this endpoint is not configured until the configuration is"
                    + " fixed", owner, p.getMessage());
            e = null;
        }
        this.endpoint = e;
        if (e != null) {
            this.engine.putEndpoint(e);
            LOG.info("endpoint '{}' -> {}:{} (tls {})", e.info().name(), e.info().host(), e.info().port(),
                    e.info().tls());
        }
    }

    /** The checks that need the values as written (DS turns 'abc' into port 0). */
    static void checkRaw(Map<String, ?> props) {
        ConfigCheck.number("port", props.get("port"), 0, 1, 65535);
        Object tls = props.get("tls");
        if (tls != null) {
            try {
                TlsMode.valueOf(tls.toString().strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigCheck.Problem("tls", tls, "not a TLS mode", "OFF, ON or STARTTLS");
            }
        }
    }

    /** Checks a configuration; {@link ConfigCheck.Problem} names the property, the problem and the rule. */
    static MinaSocketEngine.Endpoint toEndpoint(EndpointConfiguration c) {
        String name = c.name() == null ? "" : c.name().strip();
        if (name.isEmpty()) {
            throw new ConfigCheck.Problem("name", null, "missing", "every endpoint has a name, the one bundles open");
        }
        String host = c.host() == null ? "" : c.host().strip();
        if (host.isEmpty()) {
            throw new ConfigCheck.Problem("host", null, "missing", "a host name or IP literal");
        }
        if (c.port() < 1 || c.port() > 65535) {
            throw new ConfigCheck.Problem("port", c.port(), "out of range", "a whole number in 1..65535");
        }
        TlsMode tls;
        try {
            tls = TlsMode.valueOf(c.tls().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigCheck.Problem("tls", c.tls(), "not a TLS mode", "OFF, ON or STARTTLS");
        }
        String pem = blankToNull(c.caCertificatesPem());
        String path = blankToNull(c.caCertificatesPath());
        String pemField = "caCertificatesPem";
        if (pem == null && path != null) {
            pemField = "caCertificatesPath";
            try {
                pem = Files.readString(Path.of(path), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new ConfigCheck.Problem("caCertificatesPath", path, "cannot be read (" + e + ")",
                        "a readable file of PEM CA certificates");
            }
        }
        if (pem != null && !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new ConfigCheck.Problem(pemField, pemField.equals("caCertificatesPath") ? path : null,
                    "not PEM certificates", "PEM CA certificates (-----BEGIN CERTIFICATE-----)");
        }
        return new MinaSocketEngine.Endpoint(
                new EndpointInfo(name, host, c.port(), tls, blankToNull(c.serverName()), c.description()), pem);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Deactivate
    void deactivate() {
        if (endpoint != null) {
            engine.removeEndpoint(endpoint);
            NAMES.remove(endpoint.info().name(), owner);
        }
    }
}
