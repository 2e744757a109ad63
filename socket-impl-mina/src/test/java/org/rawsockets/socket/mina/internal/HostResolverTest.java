package org.rawsockets.socket.mina.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;
import org.rawsockets.socket.DnsQueryType;

class HostResolverTest {

    @Test
    void theInvalidDomainIsUnknownWithoutAQuery() {
        for (String name : new String[] { "nonexistent.invalid", "a.b.INVALID.", "invalid" }) {
            UnknownHostException e = assertThrows(UnknownHostException.class,
                    () -> HostResolver.JDK.resolve(name, DnsQueryType.ANY), name);
            assertTrue(e.getMessage().contains("RFC 6761") && e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void onlyTheInvalidDomainItself() {
        assertFalse(HostResolver.isInvalidDomain("invalid.example.org"));
        assertFalse(HostResolver.isInvalidDomain("notinvalid"));
        assertFalse(HostResolver.isInvalidDomain("x"));
        assertTrue(HostResolver.isInvalidDomain("x.Invalid"));
    }
}
