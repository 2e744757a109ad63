package org.rawsockets.smtp.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.rawsockets.smtp.AuthMechanism;
import org.rawsockets.smtp.Envelope;
import org.rawsockets.smtp.MailSender;
import org.rawsockets.smtp.MessageSource;
import org.rawsockets.smtp.ProbeResult;
import org.rawsockets.smtp.ProgressListener;
import org.rawsockets.smtp.SendResult;
import org.rawsockets.smtp.SmtpClient;
import org.rawsockets.smtp.SmtpCredentials;
import org.rawsockets.smtp.SmtpSession;
import org.rawsockets.smtp.SmtpSettings;
import org.rawsockets.smtp.SmtpTlsMode;
import org.rawsockets.socket.SocketService;
import org.rawsockets.socket.TlsOptions;
import org.rawsockets.socket.annotation.RequireSocket;

/**
 * One {@link MailSender} per factory configuration {@value #PID}. The socket needs are declared for
 * the policy: outgoing TCP to the SMTP ports (25 relay, 465 implicit TLS, 587 submission).
 */
@RequireSocket(kind = RequireSocket.Kind.TCP, ports = "25,465,587")
@Component(configurationPid = MailSenderComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = MailSender.class)
@Designate(ocd = ServerConfig.class, factory = true)
public final class MailSenderComponent implements MailSender {

    public static final String PID = "org.rawsockets.smtp.server";

    private final SocketService sockets;
    private final String name;
    private final SmtpSettings settings;

    @Activate
    public MailSenderComponent(@Reference SocketService sockets, ServerConfig config) {
        this.sockets = sockets;
        this.name = config.name();
        this.settings = toSettings(config);
    }

    /** Settings from a configuration; throws {@link IllegalArgumentException} naming the bad property. */
    static SmtpSettings toSettings(ServerConfig c) {
        if (c.name() == null || c.name().isBlank()) {
            throw new IllegalArgumentException(PID + ": property 'name' must be set");
        }
        SmtpSettings.Builder b = SmtpSettings.builder();
        if (!c.endpoint().isBlank()) {
            b.endpointName(c.endpoint());
        } else if (!c.host().isBlank()) {
            b.host(c.host());
        } else {
            throw new IllegalArgumentException(PID + " '" + c.name() + "': set 'host' or 'endpoint'");
        }
        b.port(c.port());
        SmtpTlsMode mode;
        try {
            mode = SmtpTlsMode.valueOf(c.tls().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + " '" + c.name() + "': tls must be one of STARTTLS_REQUIRED,"
                    + " STARTTLS_OPPORTUNISTIC, IMPLICIT, OFF; was '" + c.tls() + "'");
        }
        b.tlsMode(mode);
        TlsOptions.Builder tls = TlsOptions.builder().verifyHostname(c.verifyHostname());
        if (!c.trustedCertificates().isBlank()) {
            try {
                tls.trustedCertificatesPem(Files.readString(Path.of(c.trustedCertificates().trim())));
            } catch (IOException e) {
                throw new UncheckedIOException(PID + " '" + c.name() + "': cannot read trustedCertificates "
                        + c.trustedCertificates(), e);
            }
        }
        b.tls(tls.build());
        String mech = c.authMechanism().trim().toUpperCase(Locale.ROOT);
        if (!c.user().isBlank() && !mech.equals("NONE")) {
            SmtpCredentials cred;
            if (mech.equals("XOAUTH2")) {
                String token = c._password();
                cred = SmtpCredentials.oauth2(c.user(), () -> token);
            } else {
                cred = SmtpCredentials.password(c.user(), c._password());
                if (!mech.equals("AUTO")) {
                    try {
                        cred = cred.withMechanism(AuthMechanism.valueOf(mech));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(PID + " '" + c.name()
                                + "': authMechanism must be AUTO, NONE, PLAIN, LOGIN or XOAUTH2; was '" + c.authMechanism() + "'");
                    }
                }
            }
            b.credentials(cred);
        }
        b.allowAuthWithoutTls(c.allowAuthWithoutTls());
        b.clientName(c.clientName());
        b.connectTimeout(Duration.ofMillis(c.connectTimeoutMillis()));
        b.commandTimeout(Duration.ofMillis(c.commandTimeoutMillis()));
        b.dataTimeout(Duration.ofMillis(c.dataTimeoutMillis()));
        b.pipelining(c.pipelining());
        b.chunking(c.chunking());
        return b.build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SmtpSettings settings() {
        return settings;
    }

    @Override
    public CompletionStage<SendResult> send(Envelope envelope, MessageSource content, ProgressListener progress) {
        return SmtpClient.connect(sockets, settings).thenCompose(session -> session.send(envelope, content, progress)
                .handle((result, failure) -> {
                    session.close();
                    if (failure != null) {
                        throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
                    }
                    return result;
                }));
    }

    @Override
    public CompletionStage<SmtpSession> openSession() {
        return SmtpClient.connect(sockets, settings);
    }

    @Override
    public CompletionStage<ProbeResult> probe() {
        return SmtpClient.connect(sockets, settings).thenCompose(s -> {
            ProbeResult r = new ProbeResult(settings.serverLabel(), s.remoteAddress(), s.greeting(), s.capabilities(),
                    s.tls().orElse(null), s.authenticatedWith().orElse(null));
            return s.close().handle((v, t) -> r);
        });
    }

    @Override
    public String toString() {
        return "MailSender[" + name + ", " + settings + "]";
    }
}
