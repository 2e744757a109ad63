package org.rawsockets.bench.modbus;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal Modbus/TCP server for the bench: answers function 3 (holding register i = i & 0xFFFF)
 * and answers everything else with ILLEGAL_FUNCTION. One thread per connection; responses to
 * pipelined requests are flushed together when no more input is waiting, so the server is cheap and
 * the clients are what is measured.
 */
final class FastServer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new ArrayList<>();

    FastServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::acceptLoop, "modbus-bench-server");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                synchronized (sockets) {
                    sockets.add(s);
                }
                Thread t = new Thread(() -> serve(s), "modbus-bench-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 65536));
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 65536);
            byte[] header = new byte[7];
            byte[] pdu = new byte[256];
            byte[] resp = new byte[7 + 2 + 250];
            while (true) {
                in.readFully(header);
                int len = ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
                if (len < 2 || len > 254) {
                    return;
                }
                in.readFully(pdu, 0, len - 1);
                int fc = pdu[0] & 0xFF;
                System.arraycopy(header, 0, resp, 0, 7);
                int n;
                if (fc == 3 && len - 1 == 5) {
                    int address = ((pdu[1] & 0xFF) << 8) | (pdu[2] & 0xFF);
                    int quantity = ((pdu[3] & 0xFF) << 8) | (pdu[4] & 0xFF);
                    if (quantity < 1 || quantity > 125) {
                        n = exception(resp, fc, 3);
                    } else {
                        resp[7] = 3;
                        resp[8] = (byte) (quantity * 2);
                        for (int i = 0; i < quantity; i++) {
                            int v = address + i;
                            resp[9 + 2 * i] = (byte) (v >> 8);
                            resp[10 + 2 * i] = (byte) v;
                        }
                        n = 9 + 2 * quantity;
                    }
                } else {
                    n = exception(resp, fc, 1);
                }
                resp[4] = (byte) ((n - 6) >> 8);
                resp[5] = (byte) (n - 6);
                out.write(resp, 0, n);
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (EOFException e) {
            // client closed
        } catch (IOException e) {
            // connection reset or closed
        }
    }

    private static int exception(byte[] resp, int fc, int code) {
        resp[7] = (byte) (fc | 0x80);
        resp[8] = (byte) code;
        return 9;
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
