package org.rawsockets.smtp.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * A scripted SMTP peer on 127.0.0.1 for the paths real servers here do not offer (CHUNKING, HELO-only,
 * XOAUTH2, DSN) and for broken servers (bad grammar, STARTTLS injection, silence). It answers each
 * received command line with what the script returns ({@code null}: stay silent); it reads BDAT
 * chunks and DATA content on its own and hands the script {@code "<data>"} after a DATA terminator.
 */
final class ScriptedServer implements AutoCloseable {

    final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    final java.util.concurrent.atomic.AtomicInteger pipelinedAfterData = new java.util.concurrent.atomic.AtomicInteger();
    private final ServerSocket server;
    private final Function<String, String> script;
    private final String greeting;
    private volatile Socket conn;

    ScriptedServer(String greeting, Function<String, String> script) throws IOException {
        this.greeting = greeting;
        this.script = script;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::run, "scripted-smtp");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void run() {
        try (Socket s = server.accept()) {
            conn = s;
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(greeting.getBytes(StandardCharsets.UTF_8));
            String line;
            while ((line = readLine(in)) != null) {
                commands.add(line);
                if (line.toUpperCase().startsWith("BDAT ")) {
                    int n = Integer.parseInt(line.split(" ")[1]);
                    synchronized (data) {
                        data.write(in.readNBytes(n));
                    }
                }
                String reply = script.apply(line);
                if (reply != null) {
                    out.write(reply.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                if (line.equalsIgnoreCase("DATA") && reply != null && reply.startsWith("354")) {
                    String l;
                    while ((l = readLine(in)) != null && !l.equals(".")) {
                        synchronized (data) {
                            data.write((l + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        }
                    }
                    if (in.available() > 0) {
                        pipelinedAfterData.incrementAndGet(); // the next commands came with the end of data
                    }
                    String end = script.apply("<data>");
                    out.write(end.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                if (line.equalsIgnoreCase("QUIT")) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    byte[] data() {
        synchronized (data) {
            return data.toByteArray();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] x = b.toByteArray();
                int len = x.length > 0 && x[x.length - 1] == '\r' ? x.length - 1 : x.length;
                return new String(x, 0, len, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket c = conn;
        if (c != null) {
            c.close();
        }
    }
}
