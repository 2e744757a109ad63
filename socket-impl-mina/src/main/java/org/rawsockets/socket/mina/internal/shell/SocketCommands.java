package org.rawsockets.socket.mina.internal.shell;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.rawsockets.socket.EndpointInfo;
import org.rawsockets.socket.SocketAdmin;
import org.rawsockets.socket.SocketInfo;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TcpOpenInfo;
import org.rawsockets.socket.TcpSocket;
import org.rawsockets.socket.TcpSocketOptions;
import org.rawsockets.socket.TlsInfo;
import org.rawsockets.socket.TlsMode;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.annotation.RequireSocket;

/**
 * Gogo commands of scope {@code sockets}: {@code list}, {@code close}, {@code endpoints},
 * {@code probe}. Every command returns its text (so {@code gateway -c} prints it) and fails with an
 * exception whose message says what to do.
 *
 * <p>{@code probe} opens through this bundle's own {@link SocketService} instance, so it is checked
 * by the policy like any bundle: the declaration below says the bundle may ask for any TCP
 * destination, the operator's grants decide which ones it gets (default: loopback only).
 *
 * <p>The {@link Descriptor} annotations give {@code help} its text; the Gogo package is imported
 * optionally, so the bundle also runs without a shell (the annotations are then simply absent).
 */
@RequireSocket(kind = RequireSocket.Kind.TCP)
@Component(service = SocketCommands.class, property = { "osgi.command.scope=sockets", "osgi.command.function=list",
        "osgi.command.function=close", "osgi.command.function=endpoints", "osgi.command.function=probe" })
public final class SocketCommands {

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final SocketAdmin admin;
    private final SocketService sockets;

    @Activate
    public SocketCommands(@Reference SocketAdmin admin, @Reference SocketService sockets) {
        this.admin = admin;
        this.sockets = sockets;
    }

    @Descriptor("list the open sockets of all bundles: id, owner bundle, kind, local/remote address, state, bytes in/out, age")
    public String list() {
        return formatSockets(admin.sockets(), Instant.now());
    }

    @Descriptor("close a socket by id (as if its owner closed it); waits up to 5 s for it to be released")
    public String close(@Descriptor("socket id, as shown by sockets:list") long id) throws Exception {
        Optional<SocketInfo> info = admin.socket(id);
        Optional<CompletionStage<Void>> closed = admin.close(id);
        if (closed.isEmpty()) {
            throw new IllegalArgumentException("no socket with id " + id + "; sockets:list shows the open ones");
        }
        String what = info.map(i -> i.kind().name().toLowerCase(Locale.ROOT) + " " + i.destination() + " of " + i.owner())
                .orElse("");
        try {
            closed.get().toCompletableFuture().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return "closed socket " + id + (what.isEmpty() ? "" : " (" + what + ")");
        } catch (ExecutionException e) {
            // The socket ended with an error; it is closed all the same.
            return "closed socket " + id + (what.isEmpty() ? "" : " (" + what + ")") + "; it had failed: "
                    + (e.getCause().getMessage() == null ? e.getCause() : e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new IllegalStateException("socket " + id + " did not finish closing within " + CLOSE_TIMEOUT.toSeconds()
                    + " s (queued data still being sent?); sockets:list shows its state");
        }
    }

    @Descriptor("list the named endpoints the operator configured (factory PID org.rawsockets.socket.endpoint)")
    public String endpoints() {
        return formatEndpoints(admin.endpoints());
    }

    @Descriptor("open a TCP connection to host:port, print what was negotiated, close it")
    public String probe(@Descriptor("host name or IP address") String host, @Descriptor("port 1..65535") int port)
            throws Exception {
        return probe(host, port, "plain");
    }

    @Descriptor("open a TCP connection to host:port, 'tls' for implicit TLS (prints protocol, cipher, ALPN, SNI, certificate), close it")
    public String probe(@Descriptor("host name or IP address") String host, @Descriptor("port 1..65535") int port,
            @Descriptor("plain | tls") String mode) throws Exception {
        TlsOptions tls;
        switch (mode.toLowerCase(Locale.ROOT)) {
        case "plain":
        case "tcp":
        case "off":
            tls = TlsOptions.off();
            break;
        case "tls":
        case "on":
            tls = TlsOptions.builder().mode(TlsMode.ON).build();
            break;
        default:
            throw new IllegalArgumentException("probe mode must be 'plain' or 'tls', was '" + mode + "'");
        }
        TcpSocketOptions options = TcpSocketOptions.builder().connectTimeout(PROBE_TIMEOUT).tls(tls).build();
        String target = host + ":" + port + (tls.mode() == TlsMode.ON ? " (tls)" : "");
        return probe(target, () -> sockets.openTcp(host, port, options));
    }

    @Descriptor("open a TCP connection to a named endpoint (see sockets:endpoints), print what was negotiated, close it")
    public String probe(@Descriptor("endpoint name") String endpoint) throws Exception {
        // open in the endpoint's own TLS mode: a STARTTLS endpoint refuses a plain open (the probe
        // does not know the protocol, so it shows the plain connection before any upgrade)
        TlsMode mode = TlsMode.OFF;
        for (org.rawsockets.socket.EndpointInfo e : sockets.endpoints()) {
            if (e.name().equals(endpoint)) {
                mode = e.tls();
            }
        }
        TcpSocketOptions options = TcpSocketOptions.builder().connectTimeout(PROBE_TIMEOUT)
                .tls(TlsOptions.builder().mode(mode).build()).build();
        return probe("endpoint " + endpoint, () -> sockets.openTcpEndpoint(endpoint, options));
    }

    private interface Opener {
        TcpSocket open();
    }

    private static String probe(String target, Opener opener) throws Exception {
        long t0 = System.nanoTime();
        TcpSocket socket = opener.open();
        try {
            TcpOpenInfo info;
            try {
                info = socket.opened().toCompletableFuture().get(PROBE_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw new IllegalStateException("probe " + target + " failed: " + cause.getMessage(), cause);
            } catch (TimeoutException e) {
                throw new IllegalStateException("probe " + target + " did not open within "
                        + (PROBE_TIMEOUT.toSeconds() + 5) + " s");
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            return formatProbe(target, socket.info().id(), info, millis);
        } finally {
            socket.close();
        }
    }

    static String formatProbe(String target, long id, TcpOpenInfo info, long millis) {
        StringBuilder sb = new StringBuilder();
        sb.append("probe ").append(target).append(": open in ").append(millis).append(" ms (socket ").append(id)
                .append(", closed again)\n");
        sb.append("  local    ").append(address(info.localAddress())).append('\n');
        sb.append("  remote   ").append(address(info.remoteAddress())).append('\n');
        Optional<TlsInfo> tls = info.tls();
        if (tls.isEmpty()) {
            sb.append("  tls      none\n");
        } else {
            TlsInfo t = tls.get();
            sb.append("  tls      ").append(t.protocol()).append(' ').append(t.cipherSuite()).append('\n');
            sb.append("  alpn     ").append(t.alpn().orElse("-")).append('\n');
            sb.append("  sni      ").append(t.serverName() == null ? "-" : t.serverName()).append('\n');
            List<X509Certificate> chain = t.peerCertificates();
            if (chain.isEmpty()) {
                sb.append("  peer     no certificate\n");
            }
            for (int i = 0; i < chain.size(); i++) {
                X509Certificate c = chain.get(i);
                sb.append(i == 0 ? "  peer     " : "  issuer   ").append(c.getSubjectX500Principal().getName())
                        .append('\n');
                sb.append("           issued by ").append(c.getIssuerX500Principal().getName()).append(", valid ")
                        .append(c.getNotBefore().toInstant()).append(" .. ").append(c.getNotAfter().toInstant())
                        .append('\n');
            }
        }
        return sb.toString();
    }

    static String formatSockets(List<SocketInfo> list, Instant now) {
        if (list.isEmpty()) {
            return "no open sockets";
        }
        Table t = new Table(">ID", "OWNER", "KIND", "LOCAL", "REMOTE", "STATE", ">IN", ">OUT", ">AGE");
        for (SocketInfo s : list) {
            String remote = s.remoteAddress() != null ? address(s.remoteAddress()) : s.destination();
            t.row(s.id(), s.owner(), s.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    s.localAddress() == null ? "-" : address(s.localAddress()), remote,
                    s.state().name().toLowerCase(Locale.ROOT), s.bytesIn(), s.bytesOut(),
                    age(Duration.between(s.createdAt(), now)));
        }
        return t + "" + list.size() + (list.size() == 1 ? " socket" : " sockets");
    }

    static String formatEndpoints(List<EndpointInfo> list) {
        if (list.isEmpty()) {
            return "no named endpoints; add one with a factory configuration, e.g. etc/org.rawsockets.socket.endpoint-<name>.cfg";
        }
        Table t = new Table("NAME", "HOST", ">PORT", "TLS", "SNI", "DESCRIPTION");
        for (EndpointInfo e : list) {
            t.row(e.name(), e.host(), e.port(), e.tls().name().toLowerCase(Locale.ROOT), e.serverName(),
                    e.description().isEmpty() ? null : e.description());
        }
        return t + "" + list.size() + (list.size() == 1 ? " endpoint" : " endpoints");
    }

    static String address(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort();
    }

    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86400, (s % 86400) / 3600);
    }
}
