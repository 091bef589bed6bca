package org.vspam.agent.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the vspam.org REST API (the one part of the system that cannot run here): serves
 * {@link ThreatFixtures#API} by SHA-256 hash, 404 for everything else, and can be told to fail.
 */
public final class FakeVspamApi implements AutoCloseable {

    /** How the fake answers lookups. */
    public enum Mode { NORMAL, SERVER_ERROR, GARBAGE, HANG, SLOW, DROP }

    /** How long a lookup takes in {@link Mode#SLOW}. */
    private volatile Duration slowAnswer = Duration.ofMillis(800);

    private final HttpServer server;
    private final Map<String, String> byHash = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Mode mode = Mode.NORMAL;

    /** One request the fake received. */
    public record Request(String method, String path, String apiKey) {
    }

    /** One report as it arrived, with the status the fake answered. */
    public record Report(String body, String apiKey, int status) {
    }

    /** A scripted answer to the next report: status, and a Retry-After header or null. */
    public record ReportAnswer(int status, String retryAfter) {
    }

    private final List<Report> reports = new CopyOnWriteArrayList<>();
    private final BlockingQueue<ReportAnswer> reportAnswers = new LinkedBlockingQueue<>();
    private volatile CountDownLatch reportsHeld = new CountDownLatch(0);

    private final String origin;

    /** Plain HTTP on 127.0.0.1, addressed by IP. */
    public FakeVspamApi() throws IOException {
        this(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), "http://127.0.0.1");
    }

    private FakeVspamApi(HttpServer server, String origin) {
        ThreatFixtures.API.forEach((indicator, data) -> byHash.put(sha256(indicator), "{\"data\":" + data + "}"));
        this.server = server;
        this.origin = origin;
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/api/v1/", this::handle);
        server.start();
    }

    /** HTTPS on loopback with {@code certificate}, addressed as production is: by name ({@code https://localhost:PORT}). */
    public static FakeVspamApi https(TestPki.Server certificate) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.sslContext()));
        return new FakeVspamApi(server, "https://localhost");
    }

    public URI baseUrl() {
        return URI.create(origin + ":" + server.getAddress().getPort());
    }

    /** Lists one more indicator, as the fixtures list theirs. */
    public void list(String indicator, String category, String iocType) {
        byHash.put(sha256(indicator), "{\"data\":" + ThreatFixtures.listed(category, iocType) + "}");
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Lookups in {@link Mode#SLOW} take {@code latency} (800 ms unless told). */
    public void slow(Duration latency) {
        this.slowAnswer = latency;
        this.mode = Mode.SLOW;
    }

    /** How many lookups (keyed or public) arrived. */
    public int lookups() {
        return lookups.get();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestHeaders().getFirst("X-API-Key")));
        try (exchange) {
            if (path.equals("/api/v1/reports") && exchange.getRequestMethod().equals("POST")) {
                report(exchange);
            } else if (path.startsWith("/api/v1/lookup/") || path.startsWith("/api/v1/public/lookup/")) {
                lookups.incrementAndGet();
                lookup(exchange, path.substring(path.lastIndexOf('/') + 1));
            } else {
                respond(exchange, 404, "{\"error\":\"not found\"}");
            }
        }
    }

    private void lookup(HttpExchange exchange, String hash) throws IOException {
        switch (mode) {
            case SERVER_ERROR -> respond(exchange, 500, "{\"error\":\"internal\"}");
            case DROP -> { } // the connection is closed without an answer, as a crashing server or a reset does
            case GARBAGE -> respond(exchange, 200, "<html>502 Bad Gateway</html>");
            case HANG -> {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            case SLOW, NORMAL -> {
                if (mode == Mode.SLOW) {
                    try {
                        released.await(slowAnswer.toMillis(), TimeUnit.MILLISECONDS); // the latency of a slow API
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                String body = byHash.get(hash);
                respond(exchange, body == null ? 404 : 200, body == null ? "{\"error\":\"not found\"}" : body);
            }
        }
    }

    /** The next reports get these answers, in order; afterwards 201. */
    public void answerReports(ReportAnswer... answers) {
        reportAnswers.addAll(List.of(answers));
    }

    /** Reports wait unanswered until {@link #releaseReports()}. */
    public void holdReports() {
        reportsHeld = new CountDownLatch(1);
    }

    public void releaseReports() {
        reportsHeld.countDown();
    }

    public List<Report> reports() {
        return List.copyOf(reports);
    }

    private void report(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        try {
            reportsHeld.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ReportAnswer answer = reportAnswers.poll();
        int status = answer == null ? 201 : answer.status();
        reports.add(new Report(body, exchange.getRequestHeaders().getFirst("X-API-Key"), status));
        if (answer != null && answer.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
        }
        respond(exchange, status, status < 300 ? "{\"data\":{\"id\":1}}" : "{\"error\":\"try later\"}");
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        released.countDown();
        reportsHeld.countDown();
        server.stop(0);
    }
}
