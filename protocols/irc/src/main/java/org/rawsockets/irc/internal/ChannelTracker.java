package org.rawsockets.irc.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.rawsockets.irc.ISupport;
import org.rawsockets.irc.IrcChannel;
import org.rawsockets.irc.IrcMessage;
import org.rawsockets.irc.IrcUser;
import org.rawsockets.irc.IrcWhoEntry;

/**
 * The client's view of the network on one connection: its nick, ISUPPORT, the joined channels
 * (topic, modes, members with prefixes) and the users on them (user, host, account, real name,
 * away), kept from JOIN/PART/KICK/QUIT/NICK/MODE/TOPIC, the NAMES/TOPIC/MODE/WHOIS replies, WHO
 * results, the sources and account tags of messages and ACCOUNT/AWAY/CHGHOST/SETNAME. A user is
 * known while it shares a channel with the client (one record shared by its channels, counted).
 * Used on the client's actor only.
 */
final class ChannelTracker {

    /** Limits a channel's tracked members (a netsplit rejoin of 10,000 users stays bounded). */
    static final int MAX_MEMBERS = 100_000;
    static final int MAX_CHANNELS = 1_000;
    /** Limits the users whose details are kept (beyond it a member's details are kept per channel). */
    static final int MAX_USERS = 100_000;

    /** What is known of one user; shared by the channels it is on. */
    private static final class User {
        String nick;
        String user = "";
        String host = "";
        /** The account, null when not logged in or not known. */
        String account;
        String realName = "";
        boolean away;
        /** The tracked channels it is a member of. */
        int channels;

        User(String nick) {
            this.nick = nick;
        }

        void source(IrcMessage m) {
            String u = m.user();
            String h = m.host();
            if (u != null && h != null) {
                user = u;
                host = h;
            }
        }

        IrcUser snapshot() {
            return new IrcUser(nick, user, host, Optional.ofNullable(account), realName, away);
        }
    }

    /** A user's membership of one channel. */
    private static final class Member {
        final User user;
        String prefixes;

        Member(User user, String prefixes) {
            this.user = user;
            this.prefixes = prefixes;
        }
    }

    private static final class Channel {
        String name;
        String topic = "";
        final Map<Character, String> modes = new LinkedHashMap<>();
        /** Folded nick to member. */
        final LinkedHashMap<String, Member> members = new LinkedHashMap<>();

        Channel(String name) {
            this.name = name;
        }
    }

    volatile ISupport isupport = ISupport.DEFAULTS;
    volatile String nick = "";
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    /** Folded nick to user, for the users on tracked channels. */
    private final Map<String, User> users = new HashMap<>();
    /** NAMES replies being collected (folded channel to nick to prefixes), until 366. */
    private final Map<String, LinkedHashMap<String, String>> names = new HashMap<>();
    /** userhost-in-names sources of the NAMES replies being collected (folded channel to nick to user@host). */
    private final Map<String, Map<String, String>> namesHosts = new HashMap<>();
    /** Channels whose NAMES collection is in progress (between the first 353 and 366). */
    private final Set<String> collecting = new HashSet<>();

    String fold(String s) {
        return isupport.caseMapping().fold(s);
    }

    boolean isMe(String n) {
        return n != null && fold(n).equals(fold(nick));
    }

    void reset() {
        channels.clear();
        users.clear();
        names.clear();
        namesHosts.clear();
        collecting.clear();
        isupport = ISupport.DEFAULTS;
    }

    List<IrcChannel> snapshots() {
        List<IrcChannel> l = new ArrayList<>();
        for (Channel c : channels.values()) {
            l.add(snapshot(c));
        }
        return l;
    }

    IrcChannel snapshot(String name) {
        Channel c = channels.get(fold(name));
        return c == null ? null : snapshot(c);
    }

    private static IrcChannel snapshot(Channel c) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Member e : c.members.values()) {
            m.put(e.user.nick, e.prefixes);
        }
        return new IrcChannel(c.name, c.topic, c.modes, m);
    }

    /** What is known of a user on a tracked channel, or null. */
    IrcUser user(String nick) {
        User u = nick == null ? null : users.get(fold(nick));
        return u == null ? null : u.snapshot();
    }

    /**
     * Applies the entries of a WHO result ({@code whox}: all are WHOX replies, which say whether each
     * user is logged in; a plain 352 reply leaves the account as it was).
     */
    void who(List<IrcWhoEntry> entries, boolean whox) {
        for (IrcWhoEntry e : entries) {
            User u = users.get(fold(e.nick()));
            if (u == null) {
                continue;
            }
            u.user = e.user();
            u.host = e.host();
            u.realName = e.realName();
            u.away = e.away();
            if (whox) {
                u.account = e.account().orElse(null);
            }
        }
    }

    /** Adds {@code nick} to a channel's members (or updates its prefixes); returns its member record. */
    private Member addMember(Channel c, String nick, String prefixes) {
        String f = fold(nick);
        Member e = c.members.get(f);
        if (e != null) {
            e.prefixes = prefixes;
            return e;
        }
        User u = users.get(f);
        if (u == null) {
            u = new User(nick);
            if (users.size() < MAX_USERS) {
                users.put(f, u);
            }
        }
        u.channels++;
        e = new Member(u, prefixes);
        c.members.put(f, e);
        return e;
    }

    /** Drops one membership; the user is forgotten with its last channel. */
    private void released(Member e) {
        User u = e.user;
        if (--u.channels <= 0) {
            users.remove(fold(u.nick), u);
        }
    }

    /** The NAMES result collected for a channel, taken at its 366 (the caller takes it at every 366), or null. */
    Map<String, String> takeNames(String channel) {
        return names.remove(fold(channel));
    }

    /** Updates the state from one message. */
    void onMessage(IrcMessage m) {
        fromUser(m);
        switch (m.command()) {
            case "001" -> nick = m.param(0);
            case "005" -> {
                if (m.params().size() > 2) {
                    isupport = isupport.with(m.params().subList(1, m.params().size() - 1));
                }
            }
            case "JOIN" -> join(m);
            case "PART" -> part(m.param(0), m.nick());
            case "KICK" -> part(m.param(0), m.param(1));
            case "QUIT" -> {
                String f = fold(m.nick());
                for (Channel c : channels.values()) {
                    Member e = c.members.remove(f);
                    if (e != null) {
                        released(e);
                    }
                }
            }
            case "ACCOUNT" -> {
                User u = sender(m);
                if (u != null) {
                    u.account = m.param(0).equals("*") || m.param(0).isEmpty() ? null : m.param(0);
                }
            }
            case "AWAY" -> {
                User u = sender(m);
                if (u != null) {
                    u.away = !m.param(0).isEmpty();
                }
            }
            case "CHGHOST" -> {
                User u = sender(m);
                if (u != null && m.params().size() >= 2) {
                    u.user = m.param(0);
                    u.host = m.param(1);
                }
            }
            case "SETNAME" -> {
                User u = sender(m);
                if (u != null && !m.params().isEmpty()) {
                    u.realName = m.param(0);
                }
            }
            case "305", "306" -> { // RPL_UNAWAY, RPL_NOWAWAY: this client's own away state
                User u = users.get(fold(nick));
                if (u != null) {
                    u.away = m.command().equals("306");
                }
            }
            case "311" -> { // RPL_WHOISUSER me nick user host * :real name
                User u = users.get(fold(m.param(1)));
                if (u != null && m.params().size() >= 6) {
                    u.user = m.param(2);
                    u.host = m.param(3);
                    u.realName = m.param(5);
                }
            }
            case "330" -> { // RPL_WHOISACCOUNT me nick account :is logged in as
                User u = users.get(fold(m.param(1)));
                if (u != null && m.params().size() >= 4) {
                    u.account = m.param(2);
                }
            }
            case "NICK" -> renamed(m.nick(), m.param(0));
            case "MODE" -> mode(m);
            case "TOPIC" -> {
                Channel c = channels.get(fold(m.param(0)));
                if (c != null) {
                    c.topic = m.param(1);
                }
            }
            case "332" -> {
                Channel c = channels.get(fold(m.param(1)));
                if (c != null) {
                    c.topic = m.param(2);
                }
            }
            case "331" -> {
                Channel c = channels.get(fold(m.param(1)));
                if (c != null) {
                    c.topic = "";
                }
            }
            case "324" -> {
                Channel c = channels.get(fold(m.param(1)));
                if (c != null) {
                    c.modes.clear();
                    applyModes(c, m.params().subList(2, m.params().size()));
                }
            }
            case "353" -> namesReply(m);
            case "366" -> {
                String f = fold(m.param(1));
                collecting.remove(f);
                LinkedHashMap<String, String> got = names.computeIfAbsent(f, k -> new LinkedHashMap<>());
                Map<String, String> hosts = namesHosts.remove(f);
                Channel c = channels.get(f);
                if (c != null) {
                    namesReplaced(c, got, hosts);
                }
            }
            default -> {
                // not state
            }
        }
    }

    /** The tracked user who sent {@code m}, or null. */
    private User sender(IrcMessage m) {
        String n = m.nick();
        return n == null ? null : users.get(fold(n));
    }

    /** What any message from a tracked user tells: its user@host (the source) and its account (account-tag). */
    private void fromUser(IrcMessage m) {
        String source = m.source();
        if (source == null || source.indexOf('!') < 0 || users.isEmpty()) {
            return;
        }
        User u = sender(m);
        if (u != null) {
            u.source(m);
            String account = m.tags().get("account");
            if (account != null && !account.isEmpty()) {
                u.account = account;
            }
        }
    }

    private void join(IrcMessage m) {
        String ch = m.param(0);
        String f = fold(ch);
        if (isMe(m.nick())) {
            if (channels.size() < MAX_CHANNELS && !channels.containsKey(f)) {
                channels.put(f, new Channel(ch));
            }
        }
        Channel c = channels.get(f);
        if (c != null && m.nick() != null && c.members.size() < MAX_MEMBERS) {
            User u = addMember(c, m.nick(), "").user;
            u.source(m);
            if (m.params().size() >= 3) { // extended-join: channel account :real name
                u.account = m.param(1).equals("*") ? null : m.param(1);
                u.realName = m.param(2);
            }
        }
    }

    private void part(String channel, String who) {
        String f = fold(channel);
        if (isMe(who)) {
            Channel c = channels.remove(f);
            if (c != null) {
                c.members.values().forEach(this::released);
            }
            return;
        }
        Channel c = channels.get(f);
        if (c != null && who != null) {
            Member e = c.members.remove(fold(who));
            if (e != null) {
                released(e);
            }
        }
    }

    private void renamed(String from, String to) {
        if (from == null || to.isEmpty()) {
            return;
        }
        if (isMe(from)) {
            nick = to;
        }
        String f = fold(from);
        String t = fold(to);
        User u = users.get(f);
        if (u != null) {
            users.remove(f);
            u.nick = to;
            users.put(t, u);
        }
        for (Channel c : channels.values()) {
            Member e = c.members.remove(f);
            if (e != null) {
                e.user.nick = to;
                c.members.put(t, e);
            }
        }
    }

    /** A channel's members after a complete NAMES reply: the ones still there keep their records. */
    private void namesReplaced(Channel c, Map<String, String> got, Map<String, String> hosts) {
        LinkedHashMap<String, Member> old = new LinkedHashMap<>(c.members);
        c.members.clear();
        got.forEach((n, p) -> {
            Member e = old.remove(fold(n));
            if (e != null) {
                e.prefixes = p;
                c.members.put(fold(n), e);
            } else {
                e = addMember(c, n, p);
            }
            String userHost = hosts == null ? null : hosts.get(n);
            int at = userHost == null ? -1 : userHost.indexOf('@');
            if (at > 0) {
                e.user.user = userHost.substring(0, at);
                e.user.host = userHost.substring(at + 1);
            }
        });
        old.values().forEach(this::released);
    }

    private void namesReply(IrcMessage m) {
        // :server 353 me = #chan :@op +voice nick!user@host
        String channel = m.param(2);
        String f = fold(channel);
        if (collecting.add(f)) {
            names.put(f, new LinkedHashMap<>());
            namesHosts.remove(f);
        }
        LinkedHashMap<String, String> got = names.get(f);
        String symbols = isupport.prefixSymbols();
        for (String entry : m.trailing().split(" ")) {
            if (entry.isEmpty() || got.size() >= MAX_MEMBERS) {
                continue;
            }
            int i = 0;
            while (i < entry.length() && symbols.indexOf(entry.charAt(i)) >= 0) {
                i++;
            }
            String n = entry.substring(i);
            int bang = n.indexOf('!');
            if (bang > 0) { // userhost-in-names
                if (channels.containsKey(f)) {
                    namesHosts.computeIfAbsent(f, k -> new HashMap<>()).put(n.substring(0, bang), n.substring(bang + 1));
                }
                n = n.substring(0, bang);
            }
            got.put(n, sortPrefixes(entry.substring(0, i)));
        }
    }

    private String sortPrefixes(String p) {
        if (p.length() < 2) {
            return p;
        }
        String symbols = isupport.prefixSymbols();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < symbols.length(); i++) {
            if (p.indexOf(symbols.charAt(i)) >= 0) {
                b.append(symbols.charAt(i));
            }
        }
        return b.toString();
    }

    private void mode(IrcMessage m) {
        Channel c = channels.get(fold(m.param(0)));
        if (c != null && m.params().size() > 1) {
            applyModes(c, m.params().subList(1, m.params().size()));
        }
    }

    private void applyModes(Channel c, List<String> args) {
        ISupport is = isupport;
        String modes = args.get(0);
        int next = 1;
        boolean add = true;
        for (int i = 0; i < modes.length(); i++) {
            char x = modes.charAt(i);
            if (x == '+' || x == '-') {
                add = x == '+';
                continue;
            }
            int prefixIdx = is.prefixModes().indexOf(x);
            if (prefixIdx >= 0) {
                String who = next < args.size() ? args.get(next++) : null;
                Member e = who == null ? null : c.members.get(fold(who));
                if (e != null) {
                    char sym = is.prefixSymbols().charAt(prefixIdx);
                    String p = e.prefixes.replace(String.valueOf(sym), "");
                    e.prefixes = sortPrefixes(add ? p + sym : p);
                }
            } else if (is.chanModes(0).indexOf(x) >= 0) {
                next++; // list mode (bans...): not tracked
            } else if (is.chanModes(1).indexOf(x) >= 0) {
                String arg = next < args.size() ? args.get(next++) : "";
                if (add) {
                    c.modes.put(x, arg);
                } else {
                    c.modes.remove(x);
                }
            } else if (is.chanModes(2).indexOf(x) >= 0) {
                if (add) {
                    c.modes.put(x, next < args.size() ? args.get(next++) : "");
                } else {
                    c.modes.remove(x);
                }
            } else if (add) {
                c.modes.put(x, "");
            } else {
                c.modes.remove(x);
            }
        }
    }
}
