package org.rawsockets.webbridge.internal.web;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of PID {@code org.rawsockets.webbridge} (file {@code etc/org.rawsockets.webbridge.cfg}):
 * the bridge runs only when it exists.
 */
@ObjectClassDefinition(name = "Raw Sockets Direct Sockets bridge",
        description = "Web pages open sockets through one WebSocket at <path>, as their origin: the socket policy's"
                + " origin:<origin> grants and quotas decide what they reach.")
public @interface BridgeConfig {

    String PID = "org.rawsockets.webbridge";

    @AttributeDefinition(name = "Allowed origins", description = "Origins (<scheme>://<host>[:<port>], as the"
            + " browser's Origin header) whose pages may connect; any other origin is refused at the handshake (403).",
            required = false)
    String[] allowedOrigins() default {};

    @AttributeDefinition(name = "Client tokens", type = AttributeType.PASSWORD, description = "<client>:<sha256 hex of the token>[:<last valid day"
            + " yyyy-mm-dd>] per client; make one with the shell command bridge:token <client> [days]. Only the hash"
            + " is stored; still a credential list, so never logged or shown (AttributeType.PASSWORD).", required = false)
    String[] tokens() default {};

    @AttributeDefinition(name = "WebSocket path", description = "Path of the bridge's WebSocket; the JavaScript"
            + " library is served under <path>/lib/ and the demo pages under <path>/demo/.")
    String path() default "/direct-sockets";

    @AttributeDefinition(name = "Sockets per connection", description = "Sockets one page connection may have open"
            + " at once (the policy's per-origin quotas apply too).", min = "1", max = "4096")
    int maxSocketsPerConnection() default 64;

    @AttributeDefinition(name = "Send window", description = "Bytes a page may send to one socket before the"
            + " device has taken them (credit-based flow control).", min = "65536", max = "16777216")
    int sendWindow() default 262144;
}
