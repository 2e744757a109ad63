package org.rawsockets.console.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The console's configuration (PID {@value #PID}, e.g. {@code etc/org.rawsockets.console.cfg}). */
@ObjectClassDefinition(name = "Raw Sockets web console", description = "Login and limits of the gateway web console")
public @interface ConsoleConfig {

    String PID = "org.rawsockets.console";

    @AttributeDefinition(description = "Name of the administrator")
    String adminUser() default "admin";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "The administrator's password as a salted hash:"
            + " pbkdf2-sha256:<iterations>:<salt base64>:<hash base64> (console:passwordhash prints one). Empty: nobody"
            + " can log in")
    String adminPasswordHash() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Hash (same format) of the API token that curl"
            + " sends as 'Authorization: Bearer <token>'. Empty: no API token")
    String apiTokenHash() default "";

    @AttributeDefinition(description = "Minutes a session lives without requests")
    int sessionIdleMinutes() default 30;

    @AttributeDefinition(description = "Failed logins allowed per client address per minute")
    int loginAttemptsPerMinute() default 5;

    @AttributeDefinition(description = "Largest request body accepted, bytes")
    int maxRequestBytes() default 65536;

    @AttributeDefinition(description = "Largest bundle jar accepted for an install or update (upload or URL), bytes")
    int maxBundleBytes() default 33554432;
}
