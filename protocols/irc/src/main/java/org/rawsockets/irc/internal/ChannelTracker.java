package org.rawsockets.irc.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rawsockets.irc.ISupport;
import org.rawsockets.irc.IrcChannel;
import org.rawsockets.irc.IrcMessage;

/**
 * The client's view of the network on one connection: its nick, ISUPPORT and the joined channels
 * (topic, modes, members with prefixes), kept from JOIN/PART/KICK/QUIT/NICK/MODE/TOPIC and the
 * NAMES/TOPIC/MODE replies. Used on the client's actor only.
 */
final class ChannelTracker {

    /** Limits a channel's tracked members (a netsplit rejoin of 10,000 users stays bounded). */
    static final int MAX_MEMBERS = 100_000;
    static final int MAX_CHANNELS = 1_000;

    private static final class Channel {
        String name;
        String topic = "";
        final Map<Character, String> modes = new LinkedHashMap<>();
        /** Folded nick to [nick, prefixes]. */
        final LinkedHashMap<String, String[]> members = new LinkedHashMap<>();

        Channel(String name) {
            this.name = name;
        }
    }

    volatile ISupport isupport = ISupport.DEFAULTS;
    volatile String nick = "";
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    /** NAMES replies being collected (folded channel to nick to prefixes), until 366. */
    private final Map<String, LinkedHashMap<String, String>> names = new HashMap<>();

    String fold(String s) {
        return isupport.caseMapping().fold(s);
    }

    boolean isMe(String n) {
        return n != null && fold(n).equals(fold(nick));
    }

    void reset() {
        channels.clear();
        names.clear();
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
        for (String[] e : c.members.values()) {
            m.put(e[0], e[1]);
        }
        return new IrcChannel(c.name, c.topic, c.modes, m);
    }

    /** The NAMES result collected for a channel, taken at its 366 (the caller takes it at every 366), or null. */
    Map<String, String> takeNames(String channel) {
        return names.remove(fold(channel));
    }

    /** Updates the state from one message. */
    void onMessage(IrcMessage m) {
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
                    c.members.remove(f);
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
                Channel c = channels.get(f);
                if (c != null) {
                    c.members.clear();
                    got.forEach((n, p) -> c.members.put(fold(n), new String[] {n, p}));
                }
            }
            default -> {
                // not state
            }
        }
    }

    private void join(IrcMessage m) {
        String ch = m.param(0);
        String f = fold(ch);
        if (isMe(m.nick())) {
            if (channels.size() < MAX_CHANNELS) {
                channels.put(f, new Channel(ch));
            }
        }
        Channel c = channels.get(f);
        if (c != null && c.members.size() < MAX_MEMBERS) {
            c.members.put(fold(m.nick()), new String[] {m.nick(), ""});
        }
    }

    private void part(String channel, String who) {
        String f = fold(channel);
        if (isMe(who)) {
            channels.remove(f);
            return;
        }
        Channel c = channels.get(f);
        if (c != null && who != null) {
            c.members.remove(fold(who));
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
        for (Channel c : channels.values()) {
            String[] e = c.members.remove(f);
            if (e != null) {
                c.members.put(fold(to), new String[] {to, e[1]});
            }
        }
    }

    private void namesReply(IrcMessage m) {
        // :server 353 me = #chan :@op +voice nick!user@host
        String channel = m.param(2);
        String f = fold(channel);
        if (collecting.add(f)) {
            names.put(f, new LinkedHashMap<>());
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
            if (bang > 0) {
                n = n.substring(0, bang); // userhost-in-names
            }
            got.put(n, sortPrefixes(entry.substring(0, i)));
        }
    }

    /** Channels whose NAMES collection is in progress (between the first 353 and 366). */
    private final java.util.Set<String> collecting = new java.util.HashSet<>();

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
                String[] e = who == null ? null : c.members.get(fold(who));
                if (e != null) {
                    char sym = is.prefixSymbols().charAt(prefixIdx);
                    String p = e[1].replace(String.valueOf(sym), "");
                    e[1] = sortPrefixes(add ? p + sym : p);
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
