package org.vspam.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The HTTP proxy the API is reached through ({@code api_proxy}, or the conventional
 * {@code https_proxy}/{@code http_proxy} environment when that is unset). HTTPS goes through it as
 * a CONNECT tunnel. Its password is a secret: {@code toString} never shows it.
 *
 * @param address     the proxy's host and port
 * @param credentials user and password for {@code Proxy-Authorization: Basic}, when the URL has them
 * @param direct      hosts reached without the proxy ({@code no_proxy}); only for a proxy from the environment
 * @param origin      where the proxy was configured, for log lines
 */
public record ApiProxy(HostPort address, Optional<Credentials> credentials, List<String> direct, String origin) {

    public ApiProxy {
        direct = List.copyOf(direct);
    }

    /** User name and password; the password never appears in {@code toString}. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[" + user + ", password hidden]";
        }
    }

    /** {@code http://[user:password@]host:port}; a URL without a scheme is taken as http, as curl does. */
    static ApiProxy parse(String text, List<String> direct, String origin) {
        String value = text.strip();
        URI uri;
        try {
            uri = new URI(value.contains("://") ? value : "http://" + value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a proxy URL (expected http://[user:password@]host:port)");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("must be an http:// proxy (HTTPS to the API goes through it as a CONNECT tunnel)");
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("is not a proxy URL (expected http://[user:password@]host:port)");
        }
        Optional<Credentials> credentials = Optional.ofNullable(uri.getRawUserInfo()).map(info -> {
            int colon = info.indexOf(':');
            String user = colon < 0 ? info : info.substring(0, colon);
            String password = colon < 0 ? "" : info.substring(colon + 1);
            return new Credentials(URLDecoder.decode(user, StandardCharsets.UTF_8), URLDecoder.decode(password, StandardCharsets.UTF_8));
        });
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new ApiProxy(new HostPort(host, uri.getPort()), credentials, direct, origin);
    }

    /** {@code no_proxy} as curl reads it: names and their subdomains, a leading dot optional, {@code *} for all. */
    static List<String> directHosts(String noProxy) {
        return noProxy == null ? List.of() : List.of(noProxy.split("[,\\s]+")).stream()
                .map(entry -> entry.strip().toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""))
                .filter(entry -> !entry.isEmpty())
                .toList();
    }

    /** True when {@code host} is reached directly, not through the proxy. */
    public boolean bypasses(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        return direct.stream().anyMatch(entry -> entry.equals("*") || name.equals(entry) || name.endsWith("." + entry));
    }

    @Override
    public String toString() {
        return "http://" + credentials.map(c -> c.user() + ":***@").orElse("") + address + " (from " + origin + ")";
    }
}
