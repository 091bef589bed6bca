package org.vspam.config;

import java.nio.file.Path;

/** Where the policy server listens: {@code tcp://HOST:PORT}, {@code unix:///path} or {@code unix:/path}. */
public sealed interface ListenAddress {

    record Tcp(HostPort address) implements ListenAddress {
        @Override
        public String toString() {
            return "tcp://" + address;
        }
    }

    record Unix(Path path) implements ListenAddress {
        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    static ListenAddress parse(String text) {
        String value = text.strip();
        if (value.startsWith("tcp://")) {
            return new Tcp(HostPort.parse(value.substring("tcp://".length()), -1));
        }
        if (value.startsWith("unix:")) {
            String path = value.substring("unix:".length());
            if (path.startsWith("//")) {
                path = path.substring(2);
            }
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("a unix socket needs an absolute path, e.g. unix:/var/run/vspam/agent.sock");
            }
            return new Unix(Path.of(path));
        }
        throw new IllegalArgumentException("expected tcp://HOST:PORT, unix:///path or unix:/path");
    }
}
