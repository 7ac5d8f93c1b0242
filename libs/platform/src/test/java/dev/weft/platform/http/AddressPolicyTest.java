package dev.weft.platform.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no DNS
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "127.0.0.1", "127.1.2.3", "0.0.0.0", "0.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "100.127.255.255", "224.0.0.1", "239.255.255.250", "255.255.255.255",
        "240.0.0.1", "192.0.2.1", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a00:1",
        "64:ff9b::7f00:1", "2002:a00:1::1", "2002:7f00:1::", "2001:db8::1", "2001:0:4136:e378::1"})
    void refuses_non_public_addresses(String literal) throws Exception {
        assertFalse(AddressPolicy.strict().permits(ip(literal)), literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700:4700::1111",
        "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"})
    void permits_public_addresses(String literal) throws Exception {
        assertTrue(AddressPolicy.strict().permits(ip(literal)), literal);
    }

    @Test
    void refuses_ipv4_mapped_ipv6_even_when_java_keeps_it_ipv6() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        InetAddress address = Inet6Address.getByAddress(null, mapped, -1);
        assertTrue(address instanceof Inet6Address);
        assertFalse(AddressPolicy.strict().permits(address));
    }

    @Test
    void allow_list_permits_exactly_its_cidrs() throws Exception {
        AddressPolicy policy = AddressPolicy.of(List.of("127.0.0.1/32", "10.1.0.0/16", "fd00::/8"), true);
        assertTrue(policy.permits(ip("127.0.0.1")));
        assertTrue(policy.permits(ip("::ffff:127.0.0.1")));
        assertTrue(policy.permits(ip("10.1.200.3")));
        assertTrue(policy.permits(ip("fd12::1")));
        assertFalse(policy.permits(ip("127.0.0.2")));
        assertFalse(policy.permits(ip("10.2.0.1")));
        assertFalse(policy.permits(ip("::1")));
        assertFalse(policy.permits(ip("fc00::1")));
        assertTrue(policy.plainHttpAllowed());
    }

    @Test
    void allow_list_of_a_bare_address_means_that_host() throws Exception {
        AddressPolicy policy = AddressPolicy.of(List.of("::1", "192.168.0.10"), false);
        assertTrue(policy.permits(ip("::1")));
        assertTrue(policy.permits(ip("192.168.0.10")));
        assertFalse(policy.permits(ip("192.168.0.11")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost/32", "10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0.0/x", "", "example.com"})
    void rejects_cidrs_that_are_not_ip_literals(String cidr) {
        assertThrows(IllegalArgumentException.class, () -> AddressPolicy.of(List.of(cidr), false));
    }
}
