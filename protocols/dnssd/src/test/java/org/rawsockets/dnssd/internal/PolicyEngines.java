package org.rawsockets.dnssd.internal;

import org.rawsockets.socket.mina.internal.EngineConfig;
import org.rawsockets.socket.mina.internal.HostResolver;
import org.rawsockets.socket.mina.internal.MinaSocketEngine;
import org.rawsockets.socket.mina.internal.policy.AuditLog;
import org.rawsockets.socket.mina.internal.policy.PolicyEngine;
import org.rawsockets.socket.mina.internal.policy.PolicySettings;

/** A socket engine with the real policy: this bundle's declarations and the given operator grants. */
final class PolicyEngines {

    /** The RawSockets-Access header bnd writes for DnsSdComponent's @RequireSocket annotations. */
    static final String DECLARATIONS = "MULTICAST;host=\"224.0.0.251\";ports=5353,MULTICAST;host=\"ff02::fb\";ports=5353,"
            + "UDP_BOUND;host=\"*\";ports=5353";

    /** The grants the README documents for mDNS on a LAN (here the responders are on 127.0.0.1, default grants). */
    static final String[] MDNS_GRANTS = { "org.rawsockets.dnssd udp-bound 0.0.0.0 5353",
        "org.rawsockets.dnssd multicast 224.0.0.251 5353", "org.rawsockets.dnssd udp-bound 224.0.0.251 5353" };

    private PolicyEngines() {
    }

    static MinaSocketEngine withGrants(String... grants) {
        return new MinaSocketEngine(EngineConfig.defaults(), new PolicyEngine(PolicySettings.ofGrants(true, grants),
                owner -> DECLARATIONS), AuditLog.NONE, HostResolver.JDK);
    }
}
