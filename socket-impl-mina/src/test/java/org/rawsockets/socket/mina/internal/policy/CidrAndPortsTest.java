package org.rawsockets.socket.mina.internal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrAndPortsTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            0.0.0.0/0          | 0.0.0.0                                 | true
            0.0.0.0/0          | 255.255.255.255                         | true
            0.0.0.0/0          | ::1                                     | false
            10.0.0.0/8         | 10.0.0.0                                | true
            10.0.0.0/8         | 10.255.255.255                          | true
            10.0.0.0/8         | 11.0.0.0                                | false
            10.0.0.0/8         | 9.255.255.255                           | false
            192.168.1.128/25   | 192.168.1.128                           | true
            192.168.1.128/25   | 192.168.1.127                           | false
            192.168.1.128/25   | 192.168.1.255                           | true
            172.16.0.0/12      | 172.31.255.255                          | true
            172.16.0.0/12      | 172.32.0.0                              | false
            1.2.3.4/32         | 1.2.3.4                                 | true
            1.2.3.4/32         | 1.2.3.5                                 | false
            1.2.3.4            | 1.2.3.4                                 | true
            1.2.3.4/32         | ::ffff:1.2.3.4                          | true
            ::/0               | ::                                      | true
            ::/0               | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | true
            ::/0               | 1.2.3.4                                 | false
            ::1/128            | ::1                                     | true
            ::1                | 0:0:0:0:0:0:0:1                         | true
            ::1/128            | ::2                                     | false
            fe80::/10          | fe80::                                  | true
            fe80::/10          | febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff | true
            fe80::/10          | fec0::                                  | false
            fe80::/10          | fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff | false
            [2a00:1450::]/32   | 2a00:1450:1::1                          | true
            2a00:1450::/32     | 2a00:1451::                             | false
            fd00:ec2::254/128  | fd00:ec2::254                           | true
            fd00:ec2::254/128  | fd00:ec2::255                           | false
            """)
    void contains(String cidr, String ip, boolean expected) {
        String c = cidr.replace("[", "").replace("]", "");
        assertEquals(expected, Cidr.parse(c).contains(Addresses.literal(ip)), cidr + " / " + ip);
    }

    @ParameterizedTest
    @ValueSource(strings = { "10.0.0.1/8", "10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0.0/x", "example.org/8", "fe80::1/10" })
    void rejectsBrokenBlocks(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "example.org", "*.example.org", "1.2.3", "1.2.3.256", "endpoint:x", "a:b", "localhost" })
    void namesAreNotLiterals(String text) {
        assertNull(Addresses.literal(text), text);
        if (!text.contains("/")) {
            assertNull(Cidr.parse(text.contains(":") ? "[" + text + "]" : text) == null ? null : "literal", text);
        }
    }

    @ParameterizedTest(name = "{0} contains {1}: {2} (explicit {3})")
    @CsvSource(delimiter = '|', textBlock = """
            *               | 0     | true  | false
            *               | 65535 | true  | false
            22              | 22    | true  | true
            22              | 23    | false | false
            8000-8100       | 7999  | false | false
            8000-8100       | 8000  | true  | false
            8000-8100       | 8100  | true  | false
            8000-8100       | 8101  | false | false
            25,465,587      | 465   | true  | true
            25,465,587      | 25    | true  | true
            25,465,587      | 466   | false | false
            25-25           | 25    | true  | true
            ' 1-1023 , 8080' | 1023 | true  | false
            ' 1-1023 , 8080' | 8080 | true  | true
            0-65535         | 25    | true  | false
            1-65535         | 80    | true  | false
            """)
    void ports(String set, int port, boolean contains, boolean explicit) {
        PortSet p = PortSet.parse(set);
        assertEquals(contains, p.contains(port));
        assertEquals(explicit, p.namesExplicitly(port));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "65536", "-1", "a", "10-", "20-10", "*,22", "22;23" })
    void rejectsBrokenPorts(String text) {
        assertThrows(IllegalArgumentException.class, () -> PortSet.parse(text));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Example.ORG.          | example.org
            bücher.example        | xn--bcher-kva.example
            *.BÜCHER.example      | *.xn--bcher-kva.example
            münchen.de            | xn--mnchen-3ya.de
            """)
    void normalizesNames(String in, String out) {
        assertEquals(out, Addresses.normalizeName(in));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0:0:0:0:0:0:0:1       | ::1
            ::                    | ::
            fe80:0:0:0:0:0:0:1    | fe80::1
            1:0:0:2:0:0:0:3       | 1:0:0:2::3
            fd00:ec2:0:0:0:0:0:254 | fd00:ec2::254
            """)
    void printsCompressedIpv6(String in, String out) {
        assertEquals(out, Addresses.text(Addresses.literal(in)));
    }
}
