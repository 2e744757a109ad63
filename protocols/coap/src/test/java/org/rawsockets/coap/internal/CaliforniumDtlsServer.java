package org.rawsockets.coap.internal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite.CertificateKeyAlgorithm;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * Californium's own CoAP server over Scandium's DTLS 1.2 server in the test JVM (an independent
 * peer: its own endpoint and socket) on 127.0.0.1 and a free port, with a certificate and key read
 * from PEM files, demanding a client certificate issued by {@code clientCa} of the kinds
 * {@code clientKinds}. Its resource {@code /who} answers with the client certificate's subject.
 */
final class CaliforniumDtlsServer implements AutoCloseable {

    static {
        CoapConfig.register();
        DtlsConfig.register();
    }

    final CoapServer server;
    final CoapEndpoint endpoint;

    CaliforniumDtlsServer(Path cert, Path key, Path clientCa, List<CertificateKeyAlgorithm> clientKinds)
            throws Exception {
        PrivateKey privateKey = Pem.privateKey(key, null);
        List<X509Certificate> chain = Pem.certificates(cert);
        Configuration config = new Configuration();
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY)
                .set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED)
                .setAsList(DtlsConfig.DTLS_CERTIFICATE_KEY_ALGORITHMS, clientKinds.toArray(CertificateKeyAlgorithm[]::new))
                .set(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, CertificateSuites.SIGNATURES)
                .setCertificateIdentityProvider(new SingleCertificateProvider(privateKey,
                        chain.toArray(X509Certificate[]::new), CertificateType.X_509))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedCertificates(Pem.certificates(clientCa).toArray(X509Certificate[]::new)).build())
                .build();
        server = new CoapServer(config);
        endpoint = new CoapEndpoint.Builder().setConnector(new DTLSConnector(dtls)).setConfiguration(config).build();
        server.addEndpoint(endpoint);
        server.add(new CoapResource("who") {
            @Override
            public void handleGET(CoapExchange exchange) {
                exchange.respond(String.valueOf(exchange.advanced().getRequest().getSourceContext().getPeerIdentity()
                        .getName()));
            }
        });
        server.start();
    }

    int port() {
        return endpoint.getAddress().getPort();
    }

    @Override
    public void close() {
        server.destroy();
    }
}
