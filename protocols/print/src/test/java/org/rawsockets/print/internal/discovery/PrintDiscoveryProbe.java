package org.rawsockets.print.internal.discovery;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.rawsockets.dnssd.internal.MdnsClient;
import org.rawsockets.dnssd.internal.MdnsSettings;
import org.rawsockets.print.IppAttribute;
import org.rawsockets.print.internal.PrinterComponent;
import org.rawsockets.protocols.config.ConfigRegistry;
import org.rawsockets.protocols.config.SecretFiles;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.Owner;

/**
 * The print side of the discovery tests, in a child JVM inside the test's network namespace: the
 * real DNS-SD client (protocols/dnssd) behind {@link DnsSdDiscoveryComponent}, printers from
 * configuration maps as DS gives them, the shell's {@code discover}. Commands on stdin:
 * <pre>
 * printer NAME URI     -> a PrinterComponent with that configuration, discovery bound
 * nodiscovery NAME URI -> the same without discovery (the DNS-SD bundle absent)
 * attrs NAME ATTR      -> ATTR NAME=VALUE | ERROR ...
 * uri NAME             -> URI ...
 * discover SECONDS     -> DISCOVER lines, DISCOVER-END
 * </pre>
 */
public final class PrintDiscoveryProbe {

    static void say(String s) {
        synchronized (System.out) {
            System.out.println(s);
            System.out.flush();
        }
    }

    public static void main(String[] args) throws Exception {
        MinaSocketEngine engine = MinaSocketEngine.standalone();
        MinaSocketEngine.OwnedSocketService dnsSockets = engine.serviceFor(Owner.of(1, "org.rawsockets.dnssd"));
        MinaSocketEngine.OwnedSocketService printSockets = engine.serviceFor(Owner.of(2, "org.rawsockets.print"));
        Map<String, PrinterComponent> printers = new HashMap<>();
        ConfigRegistry registry = new ConfigRegistry(PrinterComponent.PID, "printer");
        try (MdnsClient client = new MdnsClient(dnsSockets, MdnsSettings.defaults().withInterface("lo").withTimeToLive(1))) {
            DnsSdDiscoveryComponent discovery = new DnsSdDiscoveryComponent(client);
            org.rawsockets.print.internal.shell.PrintCommands shell = ShellAccess.commands(registry);
            ShellAccess.bind(shell, discovery);
            say("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.split(" ", 3);
                try {
                    switch (w[0]) {
                        case "printer", "nodiscovery" -> {
                            Map<String, Object> props = new HashMap<>();
                            props.put("name", w[1]);
                            props.put("uri", w[2]);
                            props.put("connectTimeoutMillis", 20_000L);
                            PrinterComponent p = new PrinterComponent(printSockets, props, new SecretFiles(null), registry, name -> { },
                                    w[0].equals("printer") ? discovery : null);
                            printers.put(w[1], p);
                            ShellAccess.add(shell, p);
                            say("CONFIGURED " + w[1]);
                        }
                        case "attrs" -> {
                            List<IppAttribute> a = printers.get(w[1]).attributes(List.of(w[2]));
                            a.forEach(x -> say("ATTR " + x.name() + "=" + x.text()));
                            say("ATTRS-END");
                        }
                        case "uri" -> say("URI " + printers.get(w[1]).uri());
                        case "discover" -> {
                            shell.discover(Integer.parseInt(w[1])).lines().forEach(l -> say("DISCOVER " + l));
                            say("DISCOVER-END");
                        }
                        case "quit" -> {
                            say("BYE");
                            return;
                        }
                        default -> say("ERROR unknown " + line);
                    }
                } catch (Exception e) {
                    say("ERROR " + w[0] + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        } finally {
            dnsSockets.close();
            printSockets.close();
            engine.close();
        }
    }
}
