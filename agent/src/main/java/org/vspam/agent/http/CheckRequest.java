package org.vspam.agent.http;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.indicator.InvalidIndicatorException;

/** What a {@code /check} asks about, from query parameters or a JSON body. */
@Serdeable
@JsonIgnoreProperties(ignoreUnknown = true)
record CheckRequest(
        @JsonProperty("sender_domain") @Nullable String senderDomain,
        @JsonProperty("client_ip") @Nullable String clientIp,
        @JsonProperty("urls") @Nullable List<String> urls) {

    static final int MAX_URLS = 50;
    static final int MAX_URL_LENGTH = 4096;

    /** One indicator to look up and the value the caller gave for it. */
    record Asked(Indicator indicator, String given) {
    }

    /**
     * The indicators in decision order: sender domain, client IP, then each URL's host.
     *
     * @throws InvalidIndicatorException with a one-line reason naming the field
     */
    List<Asked> indicators() {
        boolean none = blank(senderDomain) && blank(clientIp) && (urls == null || urls.isEmpty());
        if (none) {
            throw new InvalidIndicatorException("sender_domain, client_ip or urls required");
        }
        List<Asked> asked = new ArrayList<>();
        if (!blank(senderDomain)) {
            asked.add(new Asked(field("sender_domain", () -> Indicator.domain(domainPart(senderDomain))), senderDomain.strip()));
        }
        if (!blank(clientIp)) {
            asked.add(new Asked(field("client_ip", () -> Indicator.ip(clientIp)), clientIp.strip()));
        }
        if (urls != null) {
            if (urls.size() > MAX_URLS) {
                throw new InvalidIndicatorException("urls: at most " + MAX_URLS + " URLs per request");
            }
            for (String url : urls) {
                asked.add(new Asked(field("urls", () -> Indicator.urlHost(host(url))), url));
            }
        }
        return asked;
    }

    /** An address given where a domain is expected is taken for its domain, as the policy server does. */
    private static String domainPart(String value) {
        int at = value.lastIndexOf('@');
        return at < 0 ? value : value.substring(at + 1);
    }

    private static String host(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_URL_LENGTH) {
            throw new InvalidIndicatorException("not a URL");
        }
        try {
            URI uri = new URI(url.strip());
            if (uri.getHost() == null) {
                throw new InvalidIndicatorException("\"" + abbreviate(url) + "\" has no host");
            }
            return uri.getHost();
        } catch (URISyntaxException e) {
            throw new InvalidIndicatorException("\"" + abbreviate(url) + "\" is not a URL");
        }
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

    private static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 61) + "...";
    }
}
