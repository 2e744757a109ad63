package org.rawsockets.coap.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.function.Consumer;
import java.util.concurrent.CompletionStage;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.metatype.annotations.Designate;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.rawsockets.coap.CoapClient;
import org.rawsockets.coap.CoapHandshakeException;
import org.rawsockets.coap.CoapLink;
import org.rawsockets.coap.CoapObservation;
import org.rawsockets.coap.CoapRequest;
import org.rawsockets.coap.CoapResponse;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.RefusedLiterals;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.protocols.config.StrictConfig;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.annotation.RequireSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link CoapClient} service per {@code org.rawsockets.coap.device} factory configuration, with
 * the service property {@code name}. The UDP socket (connected to the device) is opened at the
 * first request; a refused configuration is one ERROR line naming the property and the rule,
 * remembered in {@link #REGISTRY} for {@code coap:devices}.
 */
@RequireSocket(kind = RequireSocket.Kind.UDP_CONNECTED, host = "*", ports = "*")
@Component(configurationPid = DeviceConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = CoapClient.class, immediate = true)
@Designate(ocd = DeviceConfig.class, factory = true)
public final class CoapDeviceComponent implements CoapClient {

    /** The configured devices of this bundle: names in use, rejected configurations. */
    public static final ConfigRegistry REGISTRY = new ConfigRegistry(DeviceConfig.PID, "CoAP device");
    private static final Logger LOG = LoggerFactory.getLogger(CoapDeviceComponent.class);

    private final CoapClientImpl client;
    private final ConfigRegistry.Claim claim;

    /** The property holding the PSK's secret reference (method {@code _pskKey} of {@link DeviceConfig}). */
    static final String PSK_KEY = ".pskKey";
    /** The property holding the encrypted client key's passphrase reference ({@code _passphrase}). */
    static final String PASSPHRASE = ".passphrase";

    @Activate
    public CoapDeviceComponent(@Reference(name = "sockets") SocketService sockets,
            @Reference(name = "configurationAdmin", cardinality = ReferenceCardinality.OPTIONAL)
            ConfigurationAdmin configurationAdmin, Map<String, Object> properties, BundleContext context) {
        this(sockets, properties, new SecretFiles(context.getProperty(SecretFiles.DIR_PROPERTY)), REGISTRY,
                RefusedLiterals.storeRemover(configurationAdmin, "CoAP device", LOG, PSK_KEY,
                        PASSPHRASE));
    }

    /** A device client from a configuration map without secrets (tests pass their own registry). */
    CoapDeviceComponent(SocketService sockets, Map<String, Object> properties, ConfigRegistry registry) {
        this(sockets, properties, new SecretFiles(null), registry, pid -> { });
    }

    /**
     * A device client from a configuration map, as DS gives it.
     *
     * @param literalRemover called with the PID of a configuration whose literal key was refused, to
     *        remove it from the configuration store
     */
    CoapDeviceComponent(SocketService sockets, Map<String, Object> properties, SecretFiles secrets,
            ConfigRegistry registry, Consumer<String> literalRemover) {
        String where = StrictConfig.describe(properties == null ? Map.of() : properties);
        ConfigRegistry.Accepted<CoapSettings> accepted = new RefusedLiterals(literalRemover, PSK_KEY, PASSPHRASE).accept(registry,
                properties, DeviceConfig.class, c -> settings(c, secrets, where), CoapSettings::name, LOG);
        this.claim = accepted.claim();
        this.client = new CoapClientImpl(accepted.value(), sockets);
    }

    /** Settings from a configuration without secrets (a DTLS key cannot be read). */
    static CoapSettings settings(DeviceConfig c) {
        return settings(c, new SecretFiles(null), "test");
    }

    /** Settings from a configuration; {@link IllegalArgumentException} names the property and the rule. */
    static CoapSettings settings(DeviceConfig c, SecretFiles secrets, String where) {
        String name = c.name() == null ? "" : c.name().strip();
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw bad("name", name.isEmpty() ? null : name, name.isEmpty() ? "missing" : "not a device name",
                    "1..64 letters, digits, '.', '_', '-'");
        }
        String host = c.host().strip();
        String endpoint = c.endpoint().strip();
        if (host.isEmpty() == endpoint.isEmpty()) {
            throw bad(host.isEmpty() ? "host" : "endpoint", host.isEmpty() ? null : endpoint, host.isEmpty()
                    ? "missing, and no endpoint either" : "set together with host '" + host + "'",
                    "set exactly one of host (with port) or endpoint (a socket endpoint name)");
        }
        range("port", c.port(), 1, 65535);
        range("ackTimeoutMillis", c.ackTimeoutMillis(), 10, 60_000);
        if (!(c.ackRandomFactor() >= 1.0f && c.ackRandomFactor() <= 4.0f)) {
            throw bad("ackRandomFactor", c.ackRandomFactor(), "out of range", "1.0..4.0");
        }
        range("maxRetransmit", c.maxRetransmit(), 0, 10);
        range("timeoutMillis", c.timeoutMillis(), 100, Long.MAX_VALUE);
        range("connectTimeoutMillis", c.connectTimeoutMillis(), 100, Long.MAX_VALUE);
        if (c.blockSize() < 16 || c.blockSize() > 1024 || Integer.bitCount(c.blockSize()) != 1) {
            throw bad("blockSize", c.blockSize(), "not a CoAP block size", "16, 32, 64, 128, 256, 512 or 1024");
        }
        range("maxBodyBytes", c.maxBodyBytes(), 1024, 64 * 1024 * 1024);
        return new CoapSettings(name, host.isEmpty() ? null : host, c.port(), endpoint.isEmpty() ? null : endpoint,
                c.ackTimeoutMillis(), c.ackRandomFactor(), c.maxRetransmit(), c.timeoutMillis(),
                c.connectTimeoutMillis(), c.blockSize(), c.maxBodyBytes(), dtls(c, name, secrets, where));
    }

    /**
     * DTLS settings, or {@code null} without {@code dtls}: a pre-shared key (read at each socket
     * opening) or certificates (files checked now and read again at each opening).
     */
    private static DtlsSettings dtls(DeviceConfig c, String name, SecretFiles secrets, String where) {
        String identity = c.pskIdentity().strip();
        // a literal key is refused (and removed from the store) whether dtls is on or not
        var ref = SecretFiles.reference(where, PSK_KEY, c._pskKey(), name + ".psk");
        SecretFiles.reference(where, PASSPHRASE, c._passphrase(), name + "-key"); // the same for the passphrase
        boolean psk = !identity.isEmpty() || ref.isPresent();
        String certProperty = firstSet(c);
        if (!c.dtls()) {
            if (psk || certProperty != null) {
                throw bad("dtls", false, "false while " + (psk ? "pskIdentity or .pskKey" : certProperty) + " is set",
                        "set dtls = true to use " + (psk ? "the pre-shared key, or remove pskIdentity and .pskKey"
                                : "certificates, or remove " + certProperty));
            }
            if (!c.verifyHostname()) {
                throw bad("verifyHostname", false, "set without dtls", "only for coaps with certificates");
            }
            if (!c.dtlsConnectionId()) {
                throw bad("dtlsConnectionId", false, "set without dtls", "only for coaps");
            }
            return null;
        }
        range("handshakeTimeoutMillis", c.handshakeTimeoutMillis(), 500, 300_000);
        if (!psk && certProperty != null) {
            CertificateSettings certs = certificates(c, c.host().strip(), secrets, where, name);
            return DtlsSettings.withCertificates(certs, c.handshakeTimeoutMillis(), suites(c, false))
                    .withConnectionId(c.dtlsConnectionId());
        }
        if (certProperty != null) {
            throw bad(certProperty, null, "set together with a pre-shared key", "either pskIdentity and .pskKey, or"
                    + " certificates (caCertificatesPath / serverPublicKeyPath, clientCertificatePath ...)");
        }
        if (!c.verifyHostname()) {
            throw bad("verifyHostname", false, "set with a pre-shared key", "only for coaps with certificates");
        }
        if (identity.isEmpty() || identity.length() > 128) {
            throw bad("pskIdentity", identity.isEmpty() ? null : identity, identity.isEmpty() ? "missing with dtls"
                    : "too long", "1..128 characters: the identity the device knows the key by (or, for"
                            + " certificates, set caCertificatesPath instead)");
        }
        if (ref.isEmpty()) {
            throw bad(PSK_KEY, null, "missing with dtls", "secret:NAME, the file NAME in the gateway's secrets/ folder"
                    + " holding the pre-shared key");
        }
        List<String> suites = suites(c, true);
        String secret = ref.get();
        return new DtlsSettings(identity, secret, () -> {
            try {
                byte[] key = secrets.read(secret).getBytes(StandardCharsets.UTF_8);
                if (key.length == 0) {
                    throw new CoapHandshakeException(CoapHandshakeException.Reason.KEY_UNAVAILABLE, "coap " + name
                            + ": the pre-shared key (secret " + secret + ") is empty", null);
                }
                return key;
            } catch (SecretFiles.SecretException e) {
                throw new CoapHandshakeException(CoapHandshakeException.Reason.KEY_UNAVAILABLE, "coap " + name
                        + ": the pre-shared key cannot be read: " + e.getMessage(), e);
            }
        }, c.handshakeTimeoutMillis(), suites).withConnectionId(c.dtlsConnectionId());
    }

    /** The first certificate property set, or {@code null}. */
    private static String firstSet(DeviceConfig c) {
        String[][] props = { { "caCertificatesPath", c.caCertificatesPath() },
            { "serverPublicKeyPath", c.serverPublicKeyPath() }, { "clientCertificatePath", c.clientCertificatePath() },
            { "clientKeyPath", c.clientKeyPath() }, { PASSPHRASE, c._passphrase() }, { "serverName", c.serverName() },
            { "crlPath", c.crlPath() } };
        for (String[] p : props) {
            if (!p[1].isBlank()) {
                return p[0];
            }
        }
        return null;
    }

    /** Certificate settings; every file is read and parsed now, so a wrong one is refused at once. */
    private static CertificateSettings certificates(DeviceConfig c, String host, SecretFiles secrets, String where,
            String name) {
        Path ca = path(c.caCertificatesPath());
        Path rpk = path(c.serverPublicKeyPath());
        Path cert = path(c.clientCertificatePath());
        Path key = path(c.clientKeyPath());
        if (ca == null && rpk == null) {
            throw bad("caCertificatesPath", null, "missing with dtls and " + firstSet(c), "the PEM file of the CA"
                    + " certificates that issued the server's certificate (or serverPublicKeyPath for a raw public key)");
        }
        if ((cert == null) != (key == null)) {
            throw bad(cert == null ? "clientCertificatePath" : "clientKeyPath", null, "empty while "
                    + (cert == null ? "clientKeyPath" : "clientCertificatePath") + " is set", "set both or neither");
        }
        String serverName = c.serverName().strip();
        if (ca == null && (!serverName.isEmpty() || !c.verifyHostname())) {
            throw bad(serverName.isEmpty() ? "verifyHostname" : "serverName", serverName.isEmpty() ? false : serverName,
                    "set with a raw public key only", "names are checked in certificates (caCertificatesPath)");
        }
        if (!serverName.isEmpty() && !serverName.matches("[A-Za-z0-9._:-]{1,253}")) {
            throw bad("serverName", serverName, "not a host name or IP address", "e.g. sensor1.example.org or 10.0.0.7");
        }
        Optional<String> passphrase = SecretFiles.reference(where, PASSPHRASE, c._passphrase(), name + "-key");
        if (passphrase.isPresent() && key == null) {
            throw bad(PASSPHRASE, null, "set without clientKeyPath", "the passphrase of an encrypted clientKeyPath");
        }
        Path crl = path(c.crlPath());
        if (crl != null && ca == null) {
            throw bad("crlPath", crl, "set with a raw public key only", "revocation lists go with certificates"
                    + " (caCertificatesPath)");
        }
        CertificateSettings s = new CertificateSettings(ca, rpk, c.verifyHostname(),
                !serverName.isEmpty() ? serverName : host.isEmpty() ? null : host, cert, key,
                passphrase.orElse(null), passphrase.<CertificateSettings.PassphraseSource>map(n -> () -> secrets.read(n))
                        .orElse(null), crl);
        try {
            s.read(false);
        } catch (CertificateSettings.FileProblem e) {
            throw bad(e.property, e.file, e.problem, "a readable PEM file (see the CoAP configuration table in README)");
        }
        return s;
    }

    private static Path path(String value) {
        String v = value.strip();
        return v.isEmpty() ? null : Path.of(v);
    }

    /**
     * The configured cipher suites, checked against the keying: PSK ones, or certificate ones for the
     * server certificate kinds accepted (ECDHE_ECDSA and ECDHE_RSA with caCertificatesPath, ECDHE_ECDSA
     * with a pinned EC raw public key only). The client key's kind does not restrict them: in DTLS 1.2
     * the suite names the server's certificate kind, the client certificate's is negotiated apart.
     */
    private static List<String> suites(DeviceConfig c, boolean psk) {
        boolean ca = !c.caCertificatesPath().isBlank();
        List<String> suites = new ArrayList<>();
        for (String suite : c.dtlsCipherSuites().split(",")) {
            if (suite.isBlank()) {
                continue;
            }
            CipherSuite cs = CipherSuite.getTypeByName(suite.strip());
            String problem = psk ? (cs != null && cs.isSupported() && cs.isPskBased() ? null
                    : "not a PSK cipher suite this JVM supports") : CertificateSuites.problem(cs, ca);
            if (problem != null) {
                throw bad("dtlsCipherSuites", suite.strip(), problem, "some of " + (psk
                        ? CipherSuite.getCipherSuitesByKeyExchangeAlgorithm(false, CipherSuite.KeyExchangeAlgorithm.PSK,
                                CipherSuite.KeyExchangeAlgorithm.ECDHE_PSK)
                        : CertificateSuites.supported(ca)) + ", or empty for the recommended ones");
            }
            suites.add(cs.name());
        }
        return suites;
    }

    private static void range(String property, long v, long min, long max) {
        if (v < min || v > max) {
            throw bad(property, v, "out of range", min + ".." + (max == Long.MAX_VALUE ? "" : String.valueOf(max)));
        }
    }

    private static IllegalArgumentException bad(String property, Object value, String problem, String rule) {
        return new IllegalArgumentException(StrictConfig.field(property, value, problem, rule));
    }

    @Deactivate
    public void deactivate() {
        claim.close();
        client.close();
    }

    /** One line for {@code coap:devices}. */
    public String status() {
        return client.status();
    }

    /** {@code coap://host:port} or {@code coaps://host:port}; {@code endpoint:NAME} for a device on a named endpoint. */
    public String uri() {
        return client.deviceStatus().endpoint();
    }

    /** This device for operator tools (the web console's Devices page). */
    org.rawsockets.socket.admin.DeviceStatus deviceStatus() {
        return client.deviceStatus();
    }

    @Override
    public String name() {
        return client.name();
    }

    @Override
    public String target() {
        return client.target();
    }

    @Override
    public CompletionStage<CoapResponse> send(CoapRequest request) {
        return client.send(request);
    }

    @Override
    public CompletionStage<CoapObservation> observe(CoapRequest request, Listener listener) {
        return client.observe(request, listener);
    }

    @Override
    public CompletionStage<List<CoapLink>> discover(String query) {
        return client.discover(query);
    }
}
