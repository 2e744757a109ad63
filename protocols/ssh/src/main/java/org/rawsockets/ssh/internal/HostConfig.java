package org.rawsockets.ssh.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** One SSH server (factory PID {@code org.rawsockets.ssh.host}). */
@ObjectClassDefinition(id = SshHostComponent.PID, name = "Raw Sockets SSH host",
        description = "An SSH server to run commands on and move files to; each configuration registers one SshHost"
                + " service with property name.")
public @interface HostConfig {

    @AttributeDefinition(description = "Name of this host: the SshHost service property 'name' and the shell"
            + " commands' host argument")
    String name();

    @AttributeDefinition(required = false, description = "Host name or IP address of the server (or set endpoint)")
    String host() default "";

    @AttributeDefinition(required = false, description = "Named socket endpoint (org.rawsockets.socket.endpoint)"
            + " used instead of host/port (a plain TCP endpoint)")
    String endpoint() default "";

    @AttributeDefinition(required = false, description = "Port", min = "1", max = "65535")
    int port() default 22;

    @AttributeDefinition(required = false, description = "ProxyJump: the name of another configured SSH host (bastion)"
            + " to go through; this host is reached in a direct-tcpip channel of the bastion's session (the bastion may"
            + " have a jump too). Needs host, not endpoint; the socket policy must grant this host's address too")
    String jump() default "";

    @AttributeDefinition(description = "User to log in as")
    String user();

    @AttributeDefinition(description = "Authentication: publickey (keyFile, optional .passphrase), password"
            + " (.password) or any (both, in the order the server accepts them)", options = {
                    @Option(value = "publickey", label = "Public key"), @Option(value = "password", label = "Password"),
                    @Option(value = "any", label = "Public key and password") })
    String auth() default "publickey";

    @AttributeDefinition(required = false, description = "Path of an OpenSSH private key file (ed25519, ecdsa, rsa)")
    String keyFile() default "";

    /** Property {@code .passphrase}: {@code secret:NAME} of the key file's passphrase. */
    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "secret:NAME, where the file"
            + " NAME in the gateway's secrets/ folder holds the key file's passphrase; a passphrase written here is refused")
    String _passphrase() default "";

    /** Property {@code .password}: {@code secret:NAME} of the password. */
    @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "secret:NAME, where the file"
            + " NAME in the gateway's secrets/ folder holds the password; a password written here is refused")
    String _password() default "";

    @AttributeDefinition(required = false, description = "Path of the OpenSSH known_hosts file (required unless"
            + " hostKeyMode is off; with accept-new it may not exist yet)")
    String knownHosts() default "";

    @AttributeDefinition(description = "Host key check", options = {
            @Option(value = "strict", label = "strict: unknown or changed keys refused"),
            @Option(value = "accept-new", label = "accept-new: learn unknown hosts, refuse changed keys"),
            @Option(value = "off", label = "off: no check (a man in the middle sees everything)") })
    String hostKeyMode() default "strict";

    @AttributeDefinition(description = "Interval of keepalive@openssh.com requests in seconds; 0: none", min = "0")
    int keepAliveSeconds() default 0;

    @AttributeDefinition(name = "Connect timeout (ms)", min = "1", description = "TCP connect, key exchange and"
            + " authentication together")
    long connectTimeoutMillis() default 30000;

    @AttributeDefinition(required = false, min = "0", description = "How many times a connect that failed for a reason"
            + " that may pass (network, time limit, server gone) is tried again; never for policy, host key or"
            + " authentication failures")
    int reconnectAttempts() default 3;

    @AttributeDefinition(required = false, min = "1", description = "Delay before the first retry in ms; it doubles"
            + " at each retry up to reconnectMaxMillis, with ±20 % jitter")
    long reconnectMinMillis() default 1000;

    @AttributeDefinition(required = false, min = "1", description = "Longest delay between retries in ms")
    long reconnectMaxMillis() default 30000;

    @AttributeDefinition(required = false, min = "0", description = "Deprecated: the former name of"
            + " reconnectMinMillis; used instead of it when set (0: not set)")
    long reconnectDelayMillis() default 0;
}
