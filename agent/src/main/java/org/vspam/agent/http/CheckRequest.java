package org.vspam.agent.http;

import io.micronaut.core.annotation.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.indicator.InvalidIndicatorException;
import org.vspam.agent.indicator.LinkHostLimit;
import org.vspam.agent.indicator.LinkHosts;

/** What a {@code /check} asks about, from query parameters or a JSON body (read by {@link CheckController}). */
record CheckRequest(@Nullable String senderDomain, @Nullable String clientIp, @Nullable List<String> urls) {

    /** One indicator to look up and the value the caller gave for it. */
    record Asked(Indicator indicator, String given) {
    }

    /**
     * The indicators to look up, how many {@code urls} entries had no usable host, and how many distinct
     * link hosts were beyond the limit: skipped, counted, never looked up.
     */
    record Asking(List<Asked> asked, int skippedUrls, int skippedHosts) {
    }

    /**
     * The indicators in decision order: sender domain, client IP, then each URL's host. A {@code urls}
     * entry is a URL or a bare host (the public rspamd module sends hosts); one with no usable host
     * is skipped, never a reason to drop the others' verdict. At most {@code maxLinkHosts} distinct link
     * hosts are looked up ({@code milter_max_urls}, as for a message): one request cannot spend the API's
     * quota on hundreds of hosts.
     *
     * @throws InvalidIndicatorException with a one-line reason naming the field, when nothing usable is left
     */
    Asking indicators(int maxLinkHosts) {
        boolean none = blank(senderDomain) && blank(clientIp) && (urls == null || urls.isEmpty());
        if (none) {
            throw new InvalidIndicatorException("sender_domain, client_ip or urls required");
        }
        List<Asked> asked = new ArrayList<>();
        if (!blank(senderDomain)) {
            asked.add(new Asked(field("sender_domain", () -> Indicator.domain(Indicator.domainOrAddress(senderDomain))), senderDomain.strip()));
        }
        if (!blank(clientIp)) {
            asked.add(new Asked(field("client_ip", () -> Indicator.ip(clientIp)), clientIp.strip()));
        }
        int skipped = 0;
        LinkHostLimit limit = new LinkHostLimit(maxLinkHosts);
        if (urls != null) {
            for (String url : urls) {
                List<Indicator> hosts = LinkHosts.hosts(url);
                for (Indicator host : hosts) {
                    if (limit.take(host)) {
                        asked.add(new Asked(host, url));
                    }
                }
                if (hosts.isEmpty()) {
                    skipped++;
                }
            }
        }
        if (asked.isEmpty() && limit.beyond() == 0) {
            throw new InvalidIndicatorException("urls: no usable host in " + skipped + (skipped == 1 ? " entry" : " entries"));
        }
        return new Asking(asked, skipped, limit.beyond());
    }

    private static Indicator field(String name, Supplier<Indicator> parse) {
        try {
            return parse.get();
        } catch (InvalidIndicatorException e) {
            throw new InvalidIndicatorException(name + ": " + e.getMessage());
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
