package dev.weft.platform.http;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which destinations Weft may call on a customer's behalf (webhook deliveries, extensions). Only publicly routable
 * addresses are allowed, except those in
 * an explicit CIDR allow-list (for local runs and tests), and only {@code https} unless plain {@code http} is
 * allowed.
 */
public final class AddressPolicy {

    /** Not publicly routable, or special purpose (RFC 6890 and its IPv6 counterparts). */
    private static final List<IpSubnetFilterRule> BLOCKED = rules(List.of(
            "0.0.0.0/8", // "this network", incl. 0.0.0.0
            "10.0.0.0/8",
            "100.64.0.0/10", // carrier-grade NAT
            "127.0.0.0/8",
            "169.254.0.0/16", // link-local, incl. cloud metadata 169.254.169.254
            "172.16.0.0/12",
            "192.0.0.0/24", // IETF protocol assignments
            "192.0.2.0/24", // documentation
            "192.88.99.0/24", // 6to4 relay anycast
            "192.168.0.0/16",
            "198.18.0.0/15", // benchmarking
            "198.51.100.0/24", // documentation
            "203.0.113.0/24", // documentation
            "224.0.0.0/4", // multicast
            "240.0.0.0/4", // reserved, incl. broadcast 255.255.255.255
            "::/96", // unspecified, loopback and the deprecated IPv4-compatible form
            "::ffff:0:0/96", // IPv4-mapped (java.net usually unwraps these to IPv4 already)
            "64:ff9b:1::/48", // local-use NAT64
            "100::/64", // discard
            "2001::/32", // Teredo: the IPv4 it tunnels to is hidden
            "2001:2::/48", // benchmarking
            "2001:db8::/32", // documentation
            "fc00::/7", // unique-local
            "fe80::/10", // link-local
            "fec0::/10", // site-local (deprecated)
            "ff00::/8")); // multicast

    private static final IpSubnetFilterRule NAT64 = rule("64:ff9b::/96");
    private static final IpSubnetFilterRule SIX_TO_FOUR = rule("2002::/16");

    private final List<String> allowedCidrs;
    private final List<IpSubnetFilterRule> allowed;
    private final boolean plainHttpAllowed;

    private AddressPolicy(List<String> allowedCidrs, boolean plainHttpAllowed) {
        this.allowedCidrs = List.copyOf(allowedCidrs);
        this.allowed = rules(this.allowedCidrs);
        this.plainHttpAllowed = plainHttpAllowed;
    }

    /** Public addresses over https only: the production policy. */
    public static AddressPolicy strict() {
        return new AddressPolicy(List.of(), false);
    }

    /**
     * @param allowedCidrs IPv4/IPv6 CIDRs (e.g. {@code 127.0.0.1/32}, {@code ::1/128}; a bare address means a single
     *     host) that are allowed even though they are not public
     * @throws IllegalArgumentException when a CIDR is not an IP literal with a valid prefix length
     */
    public static AddressPolicy of(List<String> allowedCidrs, boolean plainHttpAllowed) {
        return new AddressPolicy(allowedCidrs, plainHttpAllowed);
    }

    public List<String> allowedCidrs() {
        return allowedCidrs;
    }

    public boolean plainHttpAllowed() {
        return plainHttpAllowed;
    }

    /** Whether a connection to this (already resolved) address is allowed. */
    public boolean permits(InetAddress address) {
        if (matchesAny(allowed, address)) {
            return true;
        }
        if (matchesAny(BLOCKED, address)) {
            return false;
        }
        // Addresses that reach an IPv4 host through a translator are judged by that IPv4 address.
        return embeddedIpv4(address).map(this::permits).orElse(true);
    }

    private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] bytes = address.getAddress();
        if (NAT64.matches(socket(address))) {
            return Optional.of(ipv4(Arrays.copyOfRange(bytes, 12, 16)));
        }
        if (SIX_TO_FOUR.matches(socket(address))) {
            return Optional.of(ipv4(Arrays.copyOfRange(bytes, 2, 6)));
        }
        return Optional.empty();
    }

    private static InetAddress ipv4(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static boolean matchesAny(List<IpSubnetFilterRule> rules, InetAddress address) {
        InetSocketAddress socket = socket(address);
        for (IpSubnetFilterRule rule : rules) {
            if (rule.matches(socket)) {
                return true;
            }
        }
        return false;
    }

    private static InetSocketAddress socket(InetAddress address) {
        return new InetSocketAddress(address, 0);
    }

    private static List<IpSubnetFilterRule> rules(List<String> cidrs) {
        return cidrs.stream().map(AddressPolicy::rule).toList();
    }

    private static IpSubnetFilterRule rule(String cidr) {
        String text = cidr.strip();
        int slash = text.indexOf('/');
        String ip = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = ipLiteral(ip);
        if (address == null) {
            throw new IllegalArgumentException("not an IP CIDR: " + cidr);
        }
        int maxPrefix = address.getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? maxPrefix : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IP CIDR: " + cidr);
        }
        if (prefix < 0 || prefix > maxPrefix) {
            throw new IllegalArgumentException("prefix length out of range: " + cidr);
        }
        return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
    }

    /**
     * Parses an IP literal without any name resolution (Netty's String constructor of IpSubnetFilterRule would
     * resolve host names). IPv6 text stays IPv6, so {@code ::ffff:0:0/96} is a 96-bit IPv6 prefix.
     */
    private static InetAddress ipLiteral(String text) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
        if (bytes == null) {
            return null;
        }
        try {
            if (text.indexOf(':') < 0) {
                return InetAddress.getByAddress(bytes);
            }
            if (bytes.length == 4) {
                // Netty unwraps ::ffff:a.b.c.d; wrap it again
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                bytes = mapped;
            }
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "AddressPolicy[allowedCidrs=" + allowedCidrs + ", plainHttpAllowed=" + plainHttpAllowed + "]";
    }
}
