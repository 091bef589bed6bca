package org.vspam.agent.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP proxy that only tunnels ({@code CONNECT host:port}), as the egress proxies of mail
 * servers do for HTTPS. It can demand Basic credentials (answering {@code 407} without them) and
 * records the tunnels it opened, so a test can tell that the agent went through it.
 */
public final class ConnectProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String requiredAuthorization;
    private final List<String> tunnels = new CopyOnWriteArrayList<>();
    private final AtomicInteger challenges = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private ConnectProxy(String user, String password) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.requiredAuthorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        Thread.ofVirtual().name("test-proxy-accept").start(this::accept);
    }

    public static ConnectProxy open() throws IOException {
        return new ConnectProxy(null, null);
    }

    public static ConnectProxy withCredentials(String user, String password) throws IOException {
        return new ConnectProxy(user, password);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The {@code host:port} of every tunnel opened, in order. */
    public List<String> tunnels() {
        return List.copyOf(tunnels);
    }

    /** How many CONNECTs were answered {@code 407} for missing or wrong credentials. */
    public int challenges() {
        return challenges.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                open.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            List<String> head = readHead(in);
            if (head.isEmpty()) {
                return;
            }
            String[] requestLine = head.getFirst().split(" ");
            if (requestLine.length != 3 || !requestLine[0].equals("CONNECT")) {
                out.write("HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            if (requiredAuthorization != null && !head.contains("proxy-authorization: " + requiredAuthorization.toLowerCase(Locale.ROOT))) {
                challenges.incrementAndGet();
                out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                        + "Connection: close\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                return;
            }
            String target = requestLine[1];
            int colon = target.lastIndexOf(':');
            try (Socket upstream = new Socket(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))) {
                open.add(upstream);
                tunnels.add(target);
                out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread toServer = Thread.ofVirtual().start(() -> pipe(in, upstream));
                pipe(upstream.getInputStream(), client);
                toServer.join();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // a tunnel ends when either side closes
        }
    }

    private static void pipe(InputStream from, Socket to) {
        try {
            from.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // the other side went away
        }
    }

    /** The request line and headers (header lines lower-cased), read byte by byte so nothing of the tunnel is consumed. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII).stripTrailing();
                line.reset();
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(lines.isEmpty() ? text : text.toLowerCase(Locale.ROOT));
            } else {
                line.write(b);
            }
        }
        return List.of();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
