package org.vspam.agent.dnsbl;

import java.net.Inet4Address;

/** What an A record in a DNSBL answer means (SPEC §6). */
sealed interface DnsblCode {

    /** {@code 127.0.0.0/8}: listed, the last octet the category. */
    record Listed(String category) implements DnsblCode {
    }

    /** {@code 127.255.255.0/24}: the list refuses to answer this resolver; never a listing. */
    record ListError(String address) implements DnsblCode {
    }

    /** Outside {@code 127.0.0.0/8}: not a DNSBL answer at all (a hijacking resolver, a wildcard). */
    record Foreign(String address) implements DnsblCode {
    }

    static DnsblCode of(Inet4Address address) {
        byte[] octets = address.getAddress();
        if ((octets[0] & 0xff) != 127) {
            return new Foreign(address.getHostAddress());
        }
        if ((octets[1] & 0xff) == 255 && (octets[2] & 0xff) == 255) {
            return new ListError(address.getHostAddress());
        }
        return new Listed(switch (octets[3] & 0xff) {
            case 2 -> "phishing";
            case 3 -> "malware";
            case 4 -> "botnet_c2";
            case 5 -> "spam";
            case 6 -> "tor_exit";
            case 7 -> "aggregated_threat";
            default -> "threat";
        });
    }
}
