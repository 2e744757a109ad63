package org.rawsockets.socket.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.annotation.bundle.Header;

/**
 * Declares one kind of network access the annotated bundle needs. Put it (repeatedly) on any class
 * of the bundle, usually the component that opens the sockets:
 *
 * <pre>
 * &#64;RequireSocket(kind = RequireSocket.Kind.TCP, ports = "502")
 * &#64;RequireSocket(kind = RequireSocket.Kind.UDP_BOUND, host = "*.example.org", ports = "5000-5010")
 * public final class ModbusClientComponent { ... }
 * </pre>
 *
 * <p>At build time bnd turns every use into one clause of the {@code RawSockets-Access} manifest
 * header, for instance {@code RawSockets-Access: tcp;host="*";ports="502"}. The header may also be
 * written by hand in {@code bnd.bnd}; the syntax is
 *
 * <pre>
 * RawSockets-Access ::= clause ( ',' clause )*
 * clause            ::= kind ( ';host=' quoted )? ( ';ports=' quoted )?
 * kind              ::= tcp | tcp-listen | tcp-bind | udp-connected | udp-bound | multicast
 *                       (enum constant names such as TCP_LISTEN are accepted too)
 * host              ::= '*' | host glob ('*.example.org') | IP | CIDR ('10.0.0.0/8', 'fd00::/8')
 *                       | 'endpoint:' name
 * ports             ::= '*' | port-or-range ( ',' port-or-range )*   e.g. "22", "8000-8100,9000"
 * </pre>
 *
 * <p>A declaration alone allows nothing: the operator must also grant the access (Config Admin PID
 * {@code org.rawsockets.socket.policy}). A declaration says what the bundle <em>may</em> ask for,
 * so a compromised or buggy bundle cannot use a broad operator grant for something it never
 * declared.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ ElementType.TYPE, ElementType.PACKAGE })
@Repeatable(RequireSocket.List.class)
@Header(name = RequireSocket.HEADER, value = "${#kind};host=\"${#host}\";ports=\"${#ports}\"")
public @interface RequireSocket {

    /** The manifest header the declarations are written to. */
    String HEADER = "RawSockets-Access";

    /** What the bundle does. */
    Kind kind();

    /**
     * Which destinations (for {@link Kind#TCP_LISTEN}: which local addresses): {@code *}, a host
     * name or glob such as {@code *.example.org} (internationalised names are compared in their
     * ASCII form), an IP address, a CIDR block, or {@code endpoint:<name>} for a named endpoint.
     */
    String host() default "*";

    /** Which ports: {@code *}, or a comma-separated list of ports and ranges ({@code 22}, {@code 8000-8100}). */
    String ports() default "*";

    /** The kinds of access, as the policy names them. */
    enum Kind {
        /** Outgoing TCP connections ({@code tcp}). */
        TCP,
        /** TCP server sockets ({@code tcp-listen}); host and ports are the local ones. */
        TCP_LISTEN,
        /**
         * Binding the local end of outgoing TCP connections to a chosen port ({@code tcp-bind}); host
         * and ports are the local ones (e.g. LPD's reserved source ports 721..731).
         *
         * @since 1.1
         */
        TCP_BIND,
        /** UDP sockets with one fixed peer ({@code udp-connected}). */
        UDP_CONNECTED,
        /** Bound UDP sockets; host and ports are the peers sent to and received from ({@code udp-bound}). */
        UDP_BOUND,
        /** Joining multicast groups; host is the group ({@code multicast}). */
        MULTICAST
    }

    /** Container of repeated {@link RequireSocket} declarations (written by the compiler). */
    @Documented
    @Retention(RetentionPolicy.CLASS)
    @Target({ ElementType.TYPE, ElementType.PACKAGE })
    @interface List {
        RequireSocket[] value();
    }
}
