package org.vspam.agent.api;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.vspam.agent.lookup.Failures;
import org.vspam.config.HostPort;

/**
 * Why the API gave no answer, in words an operator can act on: the status and what to check for
 * it, or what went wrong on the way (name, connection, certificate, proxy) and where. The API key
 * never appears here: no header value is part of any text below.
 */
final class ApiProblem {
    private static final Map<Integer, String> REASONS = Map.of(400, "Bad Request", 401, "Unauthorized", 403, "Forbidden",
            404, "Not Found", 429, "Too Many Requests", 500, "Internal Server Error", 502, "Bad Gateway",
            503, "Service Unavailable", 504, "Gateway Timeout");

    private ApiProblem() {
    }

    static String ofStatus(int status) {
        String text = "HTTP " + status + (REASONS.containsKey(status) ? " " + REASONS.get(status) : "");
        return switch (status) {
            case 401, 403 -> text + " — check api_key";
            case 429 -> text + " — more lookups than the key allows";
            default -> text;
        };
    }

    /**
     * The most telling cause first: the JDK reports an unresolvable name as a refused connection
     * wrapping it. With a proxy, every connection goes to the proxy: a refused one names it.
     */
    static String ofFailure(Throwable failure, URI api, Optional<HostPort> proxy) {
        String where = authority(api);
        List<Throwable> causes = new ArrayList<>();
        for (Throwable cause = failure; cause != null && !causes.contains(cause); cause = cause.getCause()) {
            causes.add(cause);
        }
        if (causes.stream().anyMatch(cause -> cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException)) {
            return "cannot resolve " + proxy.map(through -> "the proxy " + through.host()).orElse(api.getHost());
        }
        for (Throwable cause : causes) {
            if (cause instanceof SSLHandshakeException handshake) {
                return "TLS handshake with " + where + " failed: " + tls(Failures.rootMessage(handshake));
            }
        }
        if (causes.stream().anyMatch(ConnectException.class::isInstance)) {
            return proxy.map(through -> "connection refused by the proxy (" + through + ")").orElse("connection refused (" + where + ")");
        }
        String message = Failures.rootMessage(failure);
        return message.startsWith("Tunnel failed") ? "the proxy refused the tunnel to " + where + " (" + message + ")" : message + " (" + where + ")";
    }

    /** The JDK's certificate messages, with the setting that fixes the common one. */
    private static String tls(String message) {
        if (message.contains("unable to find valid certification path")) {
            return "the certificate is not signed by a trusted authority — set api_ca_file to the PEM of the one that signed it";
        }
        return message;
    }

    static String authority(URI api) {
        int port = api.getPort() >= 0 ? api.getPort() : "https".equalsIgnoreCase(api.getScheme()) ? 443 : 80;
        return api.getHost() + ":" + port;
    }
}
