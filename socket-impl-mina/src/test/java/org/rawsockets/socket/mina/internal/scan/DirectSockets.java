package org.rawsockets.socket.mina.internal.scan;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

import javax.net.SocketFactory;

/** Scanned, never run: code that opens sockets itself, each way the scanner must find. */
final class DirectSockets {

    Socket plain() throws IOException {
        return new Socket("127.0.0.1", 1);
    }

    void others() throws IOException {
        new ServerSocket(0).close();
        new DatagramSocket().close();
        new MulticastSocket().close();
    }

    void channels() throws IOException {
        SocketChannel.open().close();
        ServerSocketChannel.open().close();
        DatagramChannel.open().close();
        AsynchronousSocketChannel.open().close();
        SelectorProvider.provider().openSocketChannel().close();
    }

    Socket defaultFactory() throws IOException {
        return SocketFactory.getDefault().createSocket();
    }

    /** A subclass's constructor calls Socket's: found in the subclass. */
    static final class OwnSocket extends Socket {
        OwnSocket() {
            super();
        }
    }

    /** Not a socket opening: an address only. */
    InetSocketAddress address() {
        return new InetSocketAddress(1);
    }
}
