package org.rawsockets.irc.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A scripted IRC peer for the faults real servers do not produce (a registration that never ends,
 * lines over the limits, invalid UTF-8, SASL refusals): accepts connections on a free loopback port
 * and answers each received line with the bytes the script returns.
 */
final class ScriptedServer implements AutoCloseable {

    final ServerSocket listener;
    final List<String> received = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread thread;

    /** @param script (line, output) -> bytes to send (null: nothing) */
    ScriptedServer(BiFunction<String, OutputStream, byte[]> script) throws IOException {
        listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s, script), "scripted-irc-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "scripted-irc");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve(Socket s, BiFunction<String, OutputStream, byte[]> script) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                received.add(line);
                byte[] reply = script.apply(line, out);
                if (reply != null) {
                    out.write(reply);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the client closed
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    static byte[] lines(String... lines) {
        return (String.join("\r\n", lines) + "\r\n").getBytes(UTF_8);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
