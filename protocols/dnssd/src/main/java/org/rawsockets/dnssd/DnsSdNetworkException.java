package org.rawsockets.dnssd;

/**
 * The mDNS socket could not be opened or used: binding port 5353, joining the group on the
 * configured interface, sending a query. The cause is the socket API's exception (a
 * {@link org.rawsockets.socket.NotAllowedException} names the policy grant to add).
 */
public class DnsSdNetworkException extends DnsSdException {

    private static final long serialVersionUID = 1L;

    public DnsSdNetworkException(String message, Throwable cause) {
        super(message, cause);
    }
}
