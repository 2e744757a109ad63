package org.rawsockets.irc.e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.rawsockets.irc.IrcClient;
import org.rawsockets.irc.IrcListener;
import org.rawsockets.irc.IrcMessage;

/** A listener that records what it receives (bounded by the test's size). */
public class Recorder implements IrcListener {
    public final List<IrcMessage> messages = new CopyOnWriteArrayList<>();
    final List<String> connected = new CopyOnWriteArrayList<>();
    final List<Throwable> disconnected = new CopyOnWriteArrayList<>();
    final AtomicLong lost = new AtomicLong();

    @Override
    public void onMessage(IrcClient client, IrcMessage message) {
        messages.add(message);
    }

    @Override
    public void onLost(IrcClient client, long count) {
        lost.addAndGet(count);
    }

    @Override
    public void onConnected(IrcClient client, String nick) {
        connected.add(nick);
    }

    @Override
    public void onDisconnected(IrcClient client, Throwable reason) {
        disconnected.add(reason);
    }

    List<IrcMessage> matching(Predicate<IrcMessage> p) {
        return messages.stream().filter(p).collect(Collectors.toList());
    }

    public List<String> privmsgs(String target) {
        return messages.stream().filter(m -> m.command().equals("PRIVMSG") && m.param(0).equalsIgnoreCase(target))
                .map(IrcMessage::trailing).collect(Collectors.toList());
    }

    public String tail() {
        int n = messages.size();
        return messages.subList(Math.max(0, n - 15), n).toString() + " disconnected=" + disconnected;
    }
}
