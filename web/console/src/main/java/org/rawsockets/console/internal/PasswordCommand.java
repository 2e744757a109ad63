package org.rawsockets.console.internal;

import org.osgi.service.component.annotations.Component;

/**
 * {@code console:passwordhash <password>}: prints a salted hash for {@code adminPasswordHash} or
 * {@code apiTokenHash} in {@code etc/org.rawsockets.console.cfg}. The password is not stored or logged
 * (Gogo's history may keep the command line: run it in {@code bin/gateway-client -c} or clear it).
 */
@Component(service = PasswordCommand.class, property = { "osgi.command.scope=console",
        "osgi.command.function=passwordhash" })
public final class PasswordCommand {

    public String passwordhash(String password) {
        if (password == null || password.length() < 8) {
            return "a password needs at least 8 characters";
        }
        return PasswordHash.create(password.toCharArray());
    }
}
