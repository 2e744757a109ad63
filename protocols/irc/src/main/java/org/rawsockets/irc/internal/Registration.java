package org.rawsockets.irc.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcRegistrationException;
import org.rawsockets.irc.IrcSettings;
import org.rawsockets.irc.SaslMechanism;
import org.rawsockets.protocols.sasl.ScramClient;
import org.rawsockets.protocols.sasl.ScramClient.Mechanism;
import org.rawsockets.protocols.sasl.ScramClient.ScramException;

/**
 * Registration on one connection (and the capability negotiation after it): CAP LS 302, PASS,
 * NICK/USER, CAP REQ/ACK/NAK, SASL (PLAIN, EXTERNAL), CAP END, nick alternates on 432/433/436/437;
 * CAP NEW/DEL (cap-notify) later. Used on the client's actor.
 */
final class Registration {

    private final IrcClientImpl client;
    private final Session session;
    private final IrcSettings settings;
    private final List<String> nicks = new ArrayList<>();
    private int nickIndex;
    private boolean truncated;
    /** The nick length every server accepts (RFC 1459). */
    static final int RFC_NICK_LENGTH = 9;
    private final Set<String> offered = new LinkedHashSet<>();
    private String saslMechanisms = "";
    final Set<String> enabled = new LinkedHashSet<>();
    private int pendingReqs;
    private boolean capEnded;
    private boolean saslRunning;
    private boolean saslFinished;
    /** The most base64 characters of one SASL challenge (servers send a few hundred). */
    static final int MAX_SASL_CHALLENGE = 8192;
    private final StringBuilder saslIn = new StringBuilder();
    private int saslStep;
    private ScramClient scram;
    boolean registered;
    /** The step registration is at, for the timeout message. */
    String step = "connecting";

    Registration(IrcClientImpl client, Session session, IrcSettings settings) {
        this.client = client;
        this.session = session;
        this.settings = settings;
        nicks.add(settings.nick());
        nicks.addAll(settings.alternateNicks());
        nicks.add(settings.nick() + "_");
        nicks.add(settings.nick() + "__");
        for (int i = 0; i < 3; i++) {
            nicks.add(settings.nick() + ThreadLocalRandom.current().nextInt(100, 1000));
        }
    }

    void start() {
        step = "CAP LS (capability negotiation)";
        send("CAP", "LS", "302");
        if (settings.serverPassword() != null) {
            send("PASS", settings.serverPassword());
        }
        send("NICK", nicks.get(0));
        send("USER", settings.user(), "0", "*", settings.realName());
    }

    private void send(String command, String... params) {
        session.send(IrcMessage.of(command, params), true);
    }

    /** Handles a message during registration, and CAP messages after it. */
    void onMessage(IrcMessage m) throws IrcRegistrationException {
        switch (m.command()) {
            case "CAP" -> cap(m);
            case "AUTHENTICATE" -> authenticate(m);
            case "903" -> saslDone();
            case "902", "904", "905", "906", "908" -> {
                if (m.command().equals("908")) {
                    return; // the mechanisms list; 904 follows
                }
                saslRunning = false;
                if (settings.saslRequired()) {
                    throw new IrcRegistrationException(session.where + " refused SASL " + mechanism()
                            + " authentication for account " + settings.saslAccount() + ": " + m.command() + " "
                            + m.trailing() + " (the settings require SASL; set saslRequired false to go on without)");
                }
                saslDone();
            }
            case "432", "433", "436", "437" -> {
                if (!registered) {
                    nextNick(m);
                }
            }
            case "464" -> throw new IrcRegistrationException(session.where + " refused the server password (464 "
                    + m.trailing() + ")");
            case "465" -> throw new IrcRegistrationException(session.where + " banned this client (465 " + m.trailing()
                    + ")");
            default -> {
                // other replies before 001 (NOTICE AUTH...) are passed on
            }
        }
    }

    private void nextNick(IrcMessage m) throws IrcRegistrationException {
        String refused = nicks.get(nickIndex);
        if (m.command().equals("432") && refused.length() > RFC_NICK_LENGTH && !truncated) {
            // "Erroneous nickname" for a long nick: the server may allow only RFC 1459's 9 characters
            // (ngIRCd's default); NICKLEN comes only after registration, so the rest are cut to 9.
            truncated = true;
            List<String> rest = new ArrayList<>();
            for (String n : nicks.subList(nickIndex, nicks.size())) {
                String t = n.length() <= RFC_NICK_LENGTH ? n : n.substring(0, RFC_NICK_LENGTH);
                if (!rest.contains(t) && !t.equals(refused)) {
                    rest.add(t);
                }
            }
            String base = settings.nick().substring(0, Math.min(settings.nick().length(), RFC_NICK_LENGTH - 1));
            for (String suffix : List.of("_", "-")) {
                if (!rest.contains(base + suffix)) {
                    rest.add(base + suffix);
                }
            }
            nicks.subList(nickIndex + 1, nicks.size()).clear();
            nicks.addAll(rest);
        }
        nickIndex++;
        if (nickIndex >= nicks.size()) {
            throw new IrcRegistrationException(session.where + " refused every nickname tried (" + nicks + "); last reply "
                    + m.command() + " " + m.trailing());
        }
        step = "NICK " + nicks.get(nickIndex) + " (after " + m.command() + " for " + refused + ")";
        send("NICK", nicks.get(nickIndex));
    }

    private void cap(IrcMessage m) {
        String sub = m.param(1);
        List<String> caps = List.of(m.trailing().trim().split(" +"));
        boolean more = m.params().size() > 3 && m.param(2).equals("*");
        switch (sub) {
            case "LS" -> {
                for (String c : caps) {
                    if (c.isEmpty()) {
                        continue;
                    }
                    int eq = c.indexOf('=');
                    String name = eq < 0 ? c : c.substring(0, eq);
                    offered.add(name);
                    if (name.equals("sts")) {
                        client.stsAdvertised(session, eq < 0 ? "" : c.substring(eq + 1));
                    }
                    if (name.equals("sasl")) {
                        saslMechanisms = eq < 0 ? "" : c.substring(eq + 1);
                    }
                }
                if (!more && !registered) {
                    request(offered);
                }
            }
            case "NEW" -> {
                List<String> names = new ArrayList<>();
                for (String c : caps) {
                    int eq = c.indexOf('=');
                    names.add(eq < 0 ? c : c.substring(0, eq));
                    if (c.startsWith("sts")) {
                        client.stsAdvertised(session, eq < 0 ? "" : c.substring(eq + 1));
                    }
                }
                offered.addAll(names);
                request(names);
            }
            case "DEL" -> {
                caps.forEach(offered::remove);
                caps.forEach(enabled::remove);
                client.capabilities(enabled);
            }
            case "ACK" -> {
                for (String c : caps) {
                    if (c.startsWith("-")) {
                        enabled.remove(c.substring(1));
                    } else if (!c.isEmpty()) {
                        enabled.add(c);
                    }
                }
                client.capabilities(enabled);
                answered();
            }
            case "NAK" -> answered();
            default -> {
                // LIST and others: nothing to do
            }
        }
    }

    private void request(Iterable<String> caps) {
        List<String> wanted = new ArrayList<>();
        for (String c : caps) {
            if (settings.capabilities().contains(c) && !enabled.contains(c)
                    || c.equals("sasl") && settings.saslMechanism() != SaslMechanism.NONE && !registered) {
                wanted.add(c);
            }
        }
        if (wanted.isEmpty()) {
            if (!registered) {
                finishCaps();
            }
            return;
        }
        step = "CAP REQ " + wanted;
        StringBuilder line = new StringBuilder();
        for (String c : wanted) {
            if (line.length() + c.length() > 400) {
                pendingReqs++;
                send("CAP", "REQ", line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(c);
        }
        pendingReqs++;
        send("CAP", "REQ", line.toString());
    }

    private void answered() {
        if (pendingReqs > 0) {
            pendingReqs--;
        }
        if (pendingReqs == 0 && !registered) {
            finishCaps();
        }
    }

    private void finishCaps() {
        if (capEnded || saslRunning) {
            return;
        }
        if (saslFinished) {
            // authenticated, or failed with the fallback allowed: end the negotiation
        } else if (settings.saslMechanism() != SaslMechanism.NONE && enabled.contains("sasl")) {
            if (!saslMechanisms.isEmpty() && !List.of(saslMechanisms.split(",")).contains(mechanism())) {
                if (settings.saslRequired()) {
                    session.end(new IrcRegistrationException(session.where + " does not offer SASL "
                            + mechanism() + " (it offers " + saslMechanisms + "), and the settings require it"));
                    return;
                }
            } else {
                saslRunning = true;
                step = "SASL " + mechanism();
                send("AUTHENTICATE", mechanism());
                return;
            }
        } else if (settings.saslMechanism() != SaslMechanism.NONE && settings.saslRequired()) {
            session.end(new IrcRegistrationException(session.where + " does not offer SASL (no 'sasl' capability), and"
                    + " the settings require SASL " + mechanism()));
            return;
        }
        capEnded = true;
        step = "waiting for the welcome (001)";
        send("CAP", "END");
    }

    private String mechanism() {
        return settings.saslMechanism().wireName();
    }

    /**
     * One AUTHENTICATE line from the server: a challenge comes in 400-character pieces (a shorter
     * piece or "+" ends it); each complete challenge gets the mechanism's response.
     */
    private void authenticate(IrcMessage m) {
        if (!saslRunning) {
            return;
        }
        String piece = m.param(0);
        if (!piece.equals("+")) {
            if (saslIn.length() + piece.length() > MAX_SASL_CHALLENGE) {
                abortSasl("the server's SASL challenge is longer than " + MAX_SASL_CHALLENGE + " characters", null);
                return;
            }
            saslIn.append(piece);
            if (piece.length() == 400) {
                return; // more follows
            }
        }
        byte[] challenge;
        try {
            challenge = Base64.getDecoder().decode(saslIn.toString());
        } catch (IllegalArgumentException e) {
            abortSasl("the server's SASL challenge is not base64", null);
            return;
        }
        saslIn.setLength(0);
        byte[] response;
        try {
            response = respond(challenge);
        } catch (ScramException e) {
            abortSasl(e.getMessage(), null);
            return;
        } catch (RuntimeException e) {
            abortSasl("the SASL password could not be read: " + e.getMessage(), e);
            return;
        }
        String b64 = Base64.getEncoder().encodeToString(response);
        int i = 0;
        while (b64.length() - i >= 400) {
            send("AUTHENTICATE", b64.substring(i, i + 400));
            i += 400;
        }
        send("AUTHENTICATE", i == b64.length() ? "+" : b64.substring(i));
    }

    /** The mechanism's response to one challenge. */
    private byte[] respond(byte[] challenge) throws ScramException {
        int stepNow = saslStep++;
        switch (settings.saslMechanism()) {
            case PLAIN:
                return (settings.saslAccount() + "\0" + settings.saslAccount() + "\0" + settings.saslPassword())
                        .getBytes(UTF_8);
            case SCRAM_SHA_256:
                switch (stepNow) {
                    case 0:
                        scram = new ScramClient(Mechanism.SCRAM_SHA_256, settings.saslAccount(), settings.saslPassword());
                        return scram.clientFirst();
                    case 1:
                        step = "SASL SCRAM-SHA-256 (proof sent)";
                        return scram.clientFinal(challenge);
                    case 2:
                        scram.verifyServerFinal(challenge);
                        step = "SASL SCRAM-SHA-256 (server verified, waiting for 903)";
                        return new byte[0];
                    default:
                        throw new ScramException("the server sent a challenge after the SCRAM exchange ended");
                }
            default:
                return new byte[0]; // EXTERNAL: the identity is the certificate's
        }
    }

    /** Aborts the exchange (AUTHENTICATE *) and ends the registration: not a refusal the fallback covers. */
    private void abortSasl(String why, Throwable cause) {
        saslRunning = false;
        capEnded = true; // the server's 906 must not lead to CAP END: this connection ends
        session.endAfter(session.send(IrcMessage.of("AUTHENTICATE", "*"), true), new IrcRegistrationException(
                session.where + ": SASL " + mechanism() + " for account " + settings.saslAccount() + " aborted: " + why,
                cause));
    }

    private void saslDone() {
        saslRunning = false;
        saslFinished = true;
        finishCaps();
    }

    /** Called at 001: a server that ignored CAP LS registers us anyway. */
    void welcomed() {
        registered = true;
        capEnded = true;
    }
}
