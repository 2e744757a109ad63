package org.rawsockets.smtp.internal.shell;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.smtp.ComposedMessage;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MailSender;
import org.rawsockets.smtp.MessageBuilder;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.ProbeResult;
import org.rawsockets.smtp.ProgressListener;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.internal.MailSenderComponent;
import org.rawsockets.socket.TlsInfo;

/**
 * Gogo commands, scope {@code smtp}: {@code servers}, {@code send}, {@code probe}. Failures are
 * thrown as one clear line (so {@code gosh -c} exits non-zero); the Gogo package is imported
 * optionally (the bundle resolves without a shell). A command waits for its operation's own
 * deadline (the server's {@code timeoutMillis}) plus a little; if it stops waiting first (or is
 * interrupted, Ctrl-C), it cancels the operation, which closes the connection at once.
 */
@Component(service = SmtpCommands.class, property = { "osgi.command.scope=smtp", "osgi.command.function=servers",
        "osgi.command.function=send", "osgi.command.function=probe" })
public final class SmtpCommands {

    /** Added to an operation's own deadline when the shell waits for it. */
    static final Duration WAIT_SLACK = Duration.ofSeconds(5);

    private final Map<String, MailSender> senders = new ConcurrentHashMap<>();
    private final ConfigRegistry registry;

    public SmtpCommands() {
        this(MailSenderComponent.REGISTRY);
    }

    /** For tests: the registry of the configurations the commands explain. */
    SmtpCommands(ConfigRegistry registry) {
        this.registry = registry;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSender(MailSender sender) {
        senders.put(sender.name(), sender);
    }

    void removeSender(MailSender sender) {
        senders.remove(sender.name(), sender);
    }

    @Descriptor("list the configured mail servers (factory PID org.rawsockets.smtp.server)")
    public String servers() {
        StringBuilder sb = new StringBuilder();
        if (senders.isEmpty()) {
            sb.append("no mail servers configured (add a factory configuration org.rawsockets.smtp.server)\n");
        }
        new TreeMap<>(senders).forEach((n, s) -> {
            SmtpSettings st = s.settings();
            sb.append(n).append("  ").append(st.serverLabel()).append("  tls=").append(st.tlsMode())
                    .append("  auth=").append(st.credentials().map(c -> c.user()).orElse("-")).append('\n');
        });
        List<ConfigRegistry.Rejection> rejected = registry.rejections();
        if (!rejected.isEmpty()) {
            sb.append("rejected configurations (see the log):\n");
            rejected.forEach(r -> sb.append("  ").append(r.describe()).append('\n'));
        }
        return sb.toString().stripTrailing();
    }

    @Descriptor("send a message: a text message (-s subject, -b body) or a raw RFC 5322 file (-f); prints progress for large files")
    public String send(
            @Descriptor("raw RFC 5322 message file to send as it is") @Parameter(names = { "-f", "--file" }, absentValue = "") String file,
            @Descriptor("subject (text message)") @Parameter(names = { "-s", "--subject" }, absentValue = "") String subject,
            @Descriptor("body text (text message)") @Parameter(names = { "-b", "--body" }, absentValue = "") String body,
            @Descriptor("configured server name (see smtp:servers)") String server,
            @Descriptor("sender address") String from,
            @Descriptor("recipient addresses, comma-separated") String to) throws Exception {
        MailSender sender = sender(server);
        String[] rcpts = Arrays.stream(to.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toArray(String[]::new);
        PrintStream out = System.out; // the session's console; progress runs on another thread
        ComposedMessage message;
        ProgressListener progress = ProgressListener.NONE;
        try {
            if (!file.isEmpty()) {
                Path p = Path.of(file);
                if (!Files.isReadable(p)) {
                    throw new IllegalArgumentException("cannot read message file " + p.toAbsolutePath());
                }
                message = new ComposedMessage(Envelope.of(from, rcpts), MessageSource.of(p));
                progress = new Progress(out);
            } else {
                MessageBuilder b = MessageBuilder.create().from(from).subject(subject).text(body);
                for (String r : rcpts) {
                    b.to(r);
                }
                message = b.build();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("smtp:send: " + e.getMessage());
        }
        SendResult r = await(sender.send(message.envelope(), message.content(), progress),
                sender.settings().timeout().plus(WAIT_SLACK), "send via " + server);
        StringBuilder sb = new StringBuilder("sent via ").append(server).append(": ").append(r.messageReply());
        sb.append("\naccepted: ").append(r.accepted().size()).append(" of ").append(r.recipients().size());
        r.refused().forEach(x -> sb.append("\nrefused ").append(x));
        return sb.toString();
    }

    @Descriptor("connect to a configured server and show its greeting, EHLO capabilities, TLS and AUTH result")
    public String probe(@Descriptor("configured server name (see smtp:servers)") String server) throws Exception {
        MailSender sender = sender(server);
        ProbeResult p = await(sender.probe(), sender.settings().timeout().plus(WAIT_SLACK), "probe " + server);
        StringBuilder sb = new StringBuilder();
        sb.append("server:       ").append(p.server()).append(" (").append(p.remoteAddress()).append(")\n");
        sb.append("greeting:     ").append(p.greeting()).append('\n');
        sb.append("ehlo:         ").append(p.capabilities().ehlo() ? "yes" : "no (HELO)").append(", server name ")
                .append(p.capabilities().serverName()).append('\n');
        p.capabilities().keywords().forEach((k, v) -> sb.append("  ").append(k)
                .append(v.isEmpty() ? "" : " " + String.join(" ", v)).append('\n'));
        if (p.tls().isPresent()) {
            TlsInfo t = p.tls().get();
            sb.append("tls:          ").append(t.protocol()).append(' ').append(t.cipherSuite()).append('\n');
            if (!t.peerCertificates().isEmpty()) {
                X509Certificate c = t.peerCertificates().get(0);
                sb.append("certificate:  ").append(c.getSubjectX500Principal().getName()).append(", issuer ")
                        .append(c.getIssuerX500Principal().getName()).append(", valid until ")
                        .append(c.getNotAfter().toInstant()).append('\n');
            }
        } else {
            sb.append("tls:          none\n");
        }
        sb.append("auth:         ").append(p.authenticatedWith() == null ? "not attempted (no credentials configured)"
                : "OK with " + p.authenticatedWith());
        return sb.toString();
    }

    private MailSender sender(String name) {
        MailSender s = senders.get(name);
        if (s == null) {
            String configured = "configured: " + (senders.isEmpty() ? "none"
                    : String.join(", ", new TreeMap<>(senders).keySet()));
            throw new IllegalArgumentException(registry.rejection(name)
                    .map(r -> "no mail server named '" + name + "': its " + r.describe() + " (" + configured + ")")
                    .orElse("no mail server named '" + name + "' (" + configured
                            + "); add a factory configuration org.rawsockets.smtp.server"));
        }
        return s;
    }

    /** Waits for the result; stops the operation (closing its connection) when it gives up. */
    private static <T> T await(CompletionStage<T> stage, Duration limit, String what) throws Exception {
        CompletableFuture<T> f = stage.toCompletableFuture();
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new TimeoutException(what + ": no result within " + limit.toSeconds() + " s; cancelled");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedException(what + ": interrupted; cancelled");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c instanceof CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            throw c instanceof Exception ex ? ex : new RuntimeException(c);
        }
    }

    /** Prints progress every 10 % (or every 8 MiB when the size is unknown). */
    static final class Progress implements ProgressListener {
        private final PrintStream out;
        private long nextMark = -1;

        Progress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void progress(long bytesRead, long totalBytes) {
            long step = totalBytes > 0 ? Math.max(totalBytes / 10, 1) : 8L << 20;
            if (nextMark < 0) {
                nextMark = step;
            }
            if (bytesRead >= nextMark || (totalBytes > 0 && bytesRead >= totalBytes)) {
                out.println(totalBytes > 0
                        ? String.format("sent %d of %d KiB (%d%%)", bytesRead >> 10, totalBytes >> 10,
                                bytesRead * 100 / totalBytes)
                        : String.format("sent %d KiB", bytesRead >> 10));
                while (nextMark <= bytesRead) {
                    nextMark += step;
                }
            }
        }
    }
}
