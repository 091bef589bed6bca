package org.vspam.agent.dnsbl;

import io.netty.util.NetUtil;
import org.vspam.agent.indicator.Indicator;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The query name for an indicator: {@code d.zone.} for a domain, reversed octets for IPv4 and
 * reversed nibbles of the full address for IPv6, always absolute.
 */
final class DnsblName {
    private DnsblName() {
    }

    static Name of(Indicator indicator, String zone) throws TextParseException {
        String prefix = indicator.kind() == Indicator.Kind.IP ? reversed(indicator.value()) : indicator.asciiName();
        return Name.fromString(prefix + "." + zone + ".");
    }

    private static String reversed(String address) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        StringBuilder name = new StringBuilder(bytes.length == 4 ? 16 : 64);
        for (int i = bytes.length - 1; i >= 0; i--) {
            int octet = bytes[i] & 0xff;
            if (bytes.length == 4) {
                name.append(octet).append('.');
            } else {
                name.append(Character.forDigit(octet & 0xf, 16)).append('.')
                        .append(Character.forDigit(octet >> 4, 16)).append('.');
            }
        }
        name.setLength(name.length() - 1);
        return name.toString();
    }
}
