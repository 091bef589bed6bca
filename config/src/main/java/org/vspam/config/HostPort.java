package org.vspam.config;

/** A {@code host:port} pair; IPv6 hosts are written in brackets ({@code [::1]:10046}). */
public record HostPort(String host, int port) {

    static HostPort parse(String text, int defaultPort) {
        String value = text.strip();
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' after an IPv6 address");
            }
            host = value.substring(1, close);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new IllegalArgumentException("expected ':PORT' after ']'");
            }
            port = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon >= 0 && value.indexOf(':') != colon) {
                throw new IllegalArgumentException("write an IPv6 address in brackets, e.g. [::1]:53");
            }
            host = colon < 0 ? value : value.substring(0, colon);
            port = colon < 0 ? null : value.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is missing");
        }
        if (port == null) {
            if (defaultPort <= 0) {
                throw new IllegalArgumentException("the port is missing (expected HOST:PORT)");
            }
            return new HostPort(host, defaultPort);
        }
        return new HostPort(host, parsePort(port));
    }

    private static int parsePort(String port) {
        try {
            int number = Integer.parseInt(port);
            if (number >= 0 && number <= 65535) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + port + "' is not a port number (0-65535)");
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
