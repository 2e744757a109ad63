package org.rawsockets.socket.mina.internal.policy;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of PID {@code org.rawsockets.socket.policy} (file
 * {@code etc/org.rawsockets.socket.policy.cfg}). Besides these attributes the PID takes any number
 * of named grants {@code grant.<name> = <bundle> <kind> <destination> <ports>} and per-bundle quotas
 * {@code quota.<name> = <bundle> maxOpenSockets=N maxPendingOpens=N maxBufferedBytes=N}; names are
 * what {@code policy:revoke} takes.
 */
@ObjectClassDefinition(name = "Raw Sockets socket policy",
        description = "Which bundle may open which socket. An open is allowed when the bundle declares it"
                + " (RawSockets-Access header, @RequireSocket) AND a grant covers it. Grants: keys"
                + " 'grant.<name> = <bundle> <kind> <destination> <ports>' or the 'grants' list.")
public @interface PolicyConfig {

    @AttributeDefinition(name = "Default grants", description = "Grant every declared access to loopback"
            + " (127.0.0.0/8 and ::1, all kinds, all ports). Privileged listen ports, port 25 and listening or binding on"
            + " all interfaces (0.0.0.0, ::) stay denied."
            + " Turn off in production when bundles must not reach local services.")
    boolean defaultGrants() default true;

    @AttributeDefinition(name = "Grants", description = "Grant lines '<bundle> <kind> <destination> <ports>', e.g."
            + " 'org.rawsockets.smtp tcp *.example.org 587'. kind: tcp, tcp-listen, tcp-bind, udp-connected, udp-bound,"
            + " multicast or *; destination: *, host, *.domain, IP, CIDR, endpoint:<name>; ports: *, 22, 8000-8100,"
            + " 25,587. Named 'grant.<name>' keys are equivalent.", required = false)
    String[] grants() default {};

    @AttributeDefinition(name = "Max open sockets per bundle", description = "Sockets open or opening at once"
            + " (accepted connections included). Override per bundle with 'quota.<name> = <bundle>"
            + " maxOpenSockets=N'.", min = "0")
    int maxOpenSockets() default 256;

    @AttributeDefinition(name = "Max pending opens per bundle", description = "Opens not yet completed at once.",
            min = "0")
    int maxPendingOpens() default 64;

    @AttributeDefinition(name = "Max buffered bytes per bundle", description = "Bytes buffered for the bundle's"
            + " sockets (received unread + queued to send).", min = "0")
    long maxBufferedBytes() default 64L * 1024 * 1024;

    @AttributeDefinition(name = "Bundles that act for web origins", description = "Symbolic names (globs) of the"
            + " bundles that may open sockets for a web page's origin (the Direct Sockets bridge). Grants and quotas"
            + " naming 'origin:<scheme>://<host>[:<port>]' apply only to sockets these bundles open for that origin.",
            required = false)
    String[] originBundles() default {"org.rawsockets.webbridge"};

    @AttributeDefinition(name = "Audit entries kept", description = "Size of the in-memory audit ring shown by"
            + " policy:audit (every entry is also logged to org.rawsockets.socket.audit).", min = "1", max = "100000")
    int auditSize() default RingAuditLog.DEFAULT_CAPACITY;
}
