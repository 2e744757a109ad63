package org.rawsockets.skeleton.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Factory configuration of one skeleton server (PID {@code org.rawsockets.skeleton.server}). */
@ObjectClassDefinition(id = ServerConfig.PID, name = "Raw Sockets skeleton server",
        description = "One skeleton server; each configuration registers one SkeletonClient service with the service"
                + " property 'name'.")
public @interface ServerConfig {

    String PID = "org.rawsockets.skeleton.server";

    @AttributeDefinition(name = "Name", description = "Server name used by the shell and the service property"
            + " 'name'. Letters, digits, '.', '_' and '-'.")
    String name();

    @AttributeDefinition(name = "Host", required = false, description = "Host name or IP address of the server."
            + " Leave empty when 'endpoint' is set.")
    String host() default "";

    @AttributeDefinition(name = "Port", min = "1", max = "65535")
    int port() default 7;

    @AttributeDefinition(name = "Socket endpoint", required = false, description = "Name of a socket endpoint"
            + " configured by the operator. Leave empty when 'host' is set.")
    String endpoint() default "";

    @AttributeDefinition(description = "Longest wait for the connection, in milliseconds")
    long connectTimeoutMillis() default 5000;

    @AttributeDefinition(description = "Deadline of a whole exchange, in milliseconds")
    long timeoutMillis() default 10000;

    @AttributeDefinition(description = "Longest line sent or accepted, in bytes without CRLF")
    int maxLineBytes() default 1024;
}
