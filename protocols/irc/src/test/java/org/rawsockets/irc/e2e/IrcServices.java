package org.rawsockets.irc.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * InspIRCd 3 linked to Atheme 7.2 services (NickServ, SaslServ with PLAIN and EXTERNAL), both
 * started on free loopback ports with configurations generated in the test's directory. The
 * InspIRCd {@link IrcServers.Server} it returns prints both daemons' logs in {@code describe()}.
 */
public final class IrcServices implements AutoCloseable {

    static final String SERVICES = "services.test";
    static final String LINK_PASSWORD = "linkpassword";
    public final IrcServers.Server ircd;
    public final IrcServers.Server atheme;

    private IrcServices(IrcServers.Server ircd, IrcServers.Server atheme) {
        this.ircd = ircd;
        this.atheme = atheme;
    }

    /**
     * Starts InspIRCd (with {@code extra} configuration, e.g. a TLS listener) and Atheme, and waits
     * until Atheme has finished its burst (SASL is then available).
     */
    public static IrcServices start(Path dir, String extra) throws Exception {
        int linkPort = IrcServers.freePort();
        String link = "<bind address=\"127.0.0.1\" port=\"" + linkPort + "\" type=\"servers\">\n"
                + "<link name=\"" + SERVICES + "\" ipaddr=\"127.0.0.1\" port=\"" + linkPort + "\""
                + " allowmask=\"127.0.0.0/8\" sendpass=\"" + LINK_PASSWORD + "\" recvpass=\"" + LINK_PASSWORD + "\">\n"
                + "<uline server=\"" + SERVICES + "\" silent=\"yes\">\n"
                + "<module name=\"spanningtree\"><module name=\"services_account\"><module name=\"sasl\">"
                + "<module name=\"hidechans\"><module name=\"svshold\"><module name=\"chghost\">\n"
                + "<sasl target=\"" + SERVICES + "\">\n" + extra;
        IrcServers.Server ircd = IrcServers.inspircd(dir, "commandrate=\"100000\"", link);
        IrcServers.Server atheme = null;
        try {
            Path conf = dir.resolve("atheme.conf");
            Files.writeString(conf, athemeConf(linkPort, dir));
            atheme = new IrcServers.Server("atheme", dir, 0, 0, List.of("/usr/bin/atheme-services", "-n", "-c",
                    conf.toString(), "-D", dir.toString(), "-l", dir.resolve("atheme.log").toString(), "-p",
                    dir.resolve("atheme.pid").toString()));
            atheme.readyText = "finished synching with uplink";
            atheme.start();
            return new IrcServices(ircd, atheme);
        } catch (Throwable t) {
            if (atheme != null) {
                atheme.close();
            }
            ircd.close();
            throw t;
        }
    }

    private static String athemeConf(int linkPort, Path dir) {
        StringBuilder b = new StringBuilder();
        for (String m : List.of("protocol/inspircd", "backend/opensex", "crypto/pbkdf2v2", "nickserv/main",
                "nickserv/register", "nickserv/identify", "nickserv/cert", "saslserv/main", "saslserv/plain",
                "saslserv/external")) {
            b.append("loadmodule \"modules/").append(m).append("\";\n");
        }
        b.append("serverinfo { name = \"").append(SERVICES).append("\"; desc = \"services\"; numeric = \"00A\";"
                + " recontime = 1; netname = \"TestNet\"; adminname = \"a\"; adminemail = \"a@example.test\";"
                + " auth = none; casemapping = rfc1459; loglevel = { all; }; maxlogins = 50; maxusers = 50;"
                + " mdlimit = 30; emaillimit = 10; emailtime = 300; };\n");
        b.append("uplink \"irc.insp.test\" { host = \"127.0.0.1\"; port = ").append(linkPort)
                .append("; password = \"").append(LINK_PASSWORD).append("\"; };\n");
        b.append("nickserv { nick = \"NickServ\"; user = \"NickServ\"; host = \"").append(SERVICES)
                .append("\"; real = \"Nickname Services\"; maxnicks = 5; expire = 30; };\n");
        b.append("saslserv { nick = \"SaslServ\"; user = \"SaslServ\"; host = \"").append(SERVICES)
                .append("\"; real = \"SASL\"; };\n");
        b.append("general { flood_msgs = 0; flood_time = 10; ratelimit_uses = 1000; ratelimit_period = 60;"
                + " kline_time = 7; commit_interval = 5; uplink_sendq_limit = 1048576; language = \"en\";"
                + " exempts { }; immune_level = immune; };\n");
        return b.toString();
    }

    /** Both daemons' output and logs. */
    public String describe() {
        return ircd.describe();
    }

    @Override
    public void close() throws Exception {
        try {
            atheme.close();
        } finally {
            ircd.close();
        }
    }
}
