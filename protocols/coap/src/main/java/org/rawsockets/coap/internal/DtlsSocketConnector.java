package org.rawsockets.coap.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.DtlsHandshakeTimeoutException;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.rawsockets.coap.CoapProtocolException;
import org.rawsockets.socket.UdpOpenInfo;
import org.rawsockets.socket.UdpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scandium's {@link DTLSConnector} (DTLS 1.2 client, pre-shared key or certificates) running on a connected
 * {@link UdpSocket} of the socket service: {@link #start(InetSocketAddress)} hands Scandium a
 * {@link UdpSocketDatagrams} instead of letting it create a {@code DatagramSocket}, so every handshake
 * and application record is a datagram on the policy-checked socket. A handshake that has not
 * completed within {@code handshakeTimeoutMillis} is failed with {@link DtlsHandshakeTimeoutException}
 * (which fails the requests waiting for it); decrypted CoAP messages are checked by {@link Datagrams}
 * before Californium sees them, like the plain connector does.
 */
final class DtlsSocketConnector extends DTLSConnector implements DeviceConnector {

    private static final Logger LOG = LoggerFactory.getLogger(DtlsSocketConnector.class);
    /** MTU given to Scandium (IPv6 minimum): flights are fragmented to fit, whatever the interface. */
    static final int MTU = 1280;

    static {
        DtlsConfig.register();
    }

    private final UdpSocketDatagrams datagrams;
    private final Deadline deadline;
    private final CertificateHandshake certificates;
    private final String label;
    private final String sni;
    private final AtomicLong malformed = new AtomicLong();

    private DtlsSocketConnector(DtlsConnectorConfig config, Deadline deadline, UdpSocket socket, UdpOpenInfo info,
            String label, CertificateHandshake certificates, String sni) {
        super(config);
        this.sni = sni;
        this.deadline = deadline;
        this.certificates = certificates;
        this.label = label;
        this.datagrams = new UdpSocketDatagrams(socket, info, label, this::stop);
    }

    /**
     * A connector over {@code socket} for a device configured with DTLS: with a pre-shared key
     * ({@code key}, cleared once Scandium has its copy) or with certificates ({@code certificates}).
     */
    static DtlsSocketConnector create(Configuration base, String label, DtlsSettings dtls, byte[] key,
            CertificateHandshake certificates, UdpSocket socket, UdpOpenInfo info) {
        Deadline deadline = new Deadline(dtls.handshakeTimeoutMillis(), certificates);
        String sni = certificates == null ? null : serverNameIndication(dtls.certificates());
        try {
            DtlsConnectorConfig.Builder builder = DtlsConnectorConfig.builder(base)
                    .setAddress(info.localAddress())
                    .setLoggingTag("coaps " + label)
                    .set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY)
                    .set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1)
                    .set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1)
                    .set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4)
                    .set(DtlsConfig.DTLS_MAX_PENDING_OUTBOUND_JOBS, 256)
                    .set(DtlsConfig.DTLS_MAX_PENDING_INBOUND_JOBS, 256)
                    .set(DtlsConfig.DTLS_MAX_PENDING_HANDSHAKE_RESULT_JOBS, 64)
                    .set(DtlsConfig.DTLS_USE_SERVER_NAME_INDICATION, sni != null)
                    // RFC 9146: 0 = the extension offered with an empty id (the server's records need none to
                    // reach this connected socket); the server's id goes in our records, so it still knows us
                    // after a NAT between us gives our datagrams another address
                    .set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, dtls.connectionId() ? 0 : null)
                    .setSessionListener(deadline);
            if (certificates == null) {
                builder.setAdvancedPskStore(new AdvancedSinglePskStore(dtls.identity(), key));
                if (!dtls.cipherSuites().isEmpty()) {
                    builder.set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false).setAsList(
                            DtlsConfig.DTLS_CIPHER_SUITES, dtls.cipherSuites().stream().map(CipherSuite::getTypeByName)
                                    .toArray(CipherSuite[]::new));
                }
            } else {
                // the name is checked by CertificateHandshake against serverName, not by Scandium against the address
                // the suites of every server certificate kind accepted (not only the client key's kind), and
                // the signatures of RSA, ECDSA and Ed25519 (Scandium's default: SHA256 only)
                builder.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false)
                        .setAdvancedCertificateVerifier(certificates.verifier())
                        .setCertificateIdentityProvider(certificates.identity())
                        .set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, dtls.cipherSuites().isEmpty())
                        .setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CertificateSuites.offered(dtls.cipherSuites(),
                                dtls.certificates().caCertificates() != null).toArray(CipherSuite[]::new))
                        .set(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, CertificateSuites.SIGNATURES);
            }
            DtlsConnectorConfig config = builder.build();
            return new DtlsSocketConnector(config, deadline, socket, info, label, certificates, sni);
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    /** Scandium's start, on the socket service's socket instead of a {@code new DatagramSocket}. */
    @Override
    protected void start(InetSocketAddress bindAddress) throws IOException {
        if (isRunning()) {
            return;
        }
        if (datagrams.isClosed()) {
            throw new IOException("coaps " + label + ": the UDP socket to " + datagrams.peer() + " is closed");
        }
        init(bindAddress, datagrams, MTU);
    }

    @Override
    public void setRawDataReceiver(RawDataChannel channel) {
        super.setRawDataReceiver(channel == null ? null : raw -> {
            try {
                Datagrams.decode(raw.getBytes());
            } catch (CoapProtocolException e) {
                if (malformed.incrementAndGet() == 1) {
                    LOG.warn("coaps {}: {} from {} dropped; further ones are only counted (coap:devices)", label,
                            e.getMessage(), datagrams.peer());
                }
                return;
            }
            channel.receiveData(raw);
        });
    }

    /** The certificate side of the handshake, {@code null} with a pre-shared key. */
    CertificateHandshake certificates() {
        return certificates;
    }

    /** The last flight a handshake with the device sent or retransmitted (1, 3 or 5 for a client), 0 if none. */
    int lastFlight() {
        return deadline.lastFlight;
    }

    /** The configured {@code serverName} when it is a DNS name; else null (SNI carries no IP literal). */
    static String serverNameIndication(CertificateSettings certs) {
        String name = certs == null ? null : certs.serverName();
        return name == null || name.isBlank() || CertificateHandshake.isIpLiteral(name) ? null : name;
    }

    @Override
    public String serverNameIndication() {
        return sni;
    }

    @Override
    public InetSocketAddress peer() {
        return datagrams.peer();
    }

    @Override
    public long datagramsSent() {
        return datagrams.datagramsSent();
    }

    @Override
    public long datagramsReceived() {
        return datagrams.datagramsReceived();
    }

    @Override
    public long datagramsMalformed() {
        return malformed.get();
    }

    @Override
    public String getProtocol() {
        return "DTLS";
    }

    @Override
    public String toString() {
        return "DTLS via socket service " + datagrams.local() + " -> " + datagrams.peer();
    }

    /** Fails a handshake still running after its deadline; remembers the last flight for the error message. */
    private static final class Deadline extends SessionAdapter {
        private final long millis;
        private final CertificateHandshake certificates;
        private final Map<Handshaker, Boolean> running = new ConcurrentHashMap<>();
        private volatile int lastFlight;

        Deadline(long millis, CertificateHandshake certificates) {
            this.millis = millis;
            this.certificates = certificates;
        }

        @Override
        public void handshakeStarted(Handshaker handshaker) {
            if (certificates != null) {
                certificates.reset();
            }
            running.put(handshaker, Boolean.TRUE);
            lastFlight = 1;
            CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(() -> {
                if (running.remove(handshaker) == null) {
                    return;
                }
                DtlsHandshakeTimeoutException timeout = new DtlsHandshakeTimeoutException("handshake not complete"
                        + " within handshakeTimeoutMillis " + millis + " ms (flight " + lastFlight + ")", lastFlight);
                try {
                    handshaker.getConnection().getExecutor().execute(() -> handshaker.handshakeFailed(timeout));
                } catch (RejectedExecutionException e) {
                    // the connector is stopping: the pending requests fail with it
                }
            });
        }

        @Override
        public void handshakeFlightRetransmitted(Handshaker handshaker, int flight) {
            lastFlight = flight;
        }

        @Override
        public void contextEstablished(Handshaker handshaker, DTLSContext context) {
            running.remove(handshaker);
        }

        @Override
        public void handshakeCompleted(Handshaker handshaker) {
            running.remove(handshaker);
        }

        @Override
        public void handshakeFailed(Handshaker handshaker, Throwable error) {
            running.remove(handshaker);
        }
    }
}
