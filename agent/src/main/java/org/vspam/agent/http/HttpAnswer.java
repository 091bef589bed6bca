package org.vspam.agent.http;

import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What the HTTP API answers one request: a status, a content type, the body's bytes and, for a 405, the methods allowed. */
record HttpAnswer(int status, String contentType, byte[] body, String allow) {
    static final String JSON = "application/json";

    HttpAnswer(int status, String contentType, byte[] body) {
        this(status, contentType, body, "");
    }

    /** {@code body} as compact JSON (Exim's readsocket greps it for {@code "malicious":true}). */
    static HttpAnswer json(int status, Object body, ObjectMapper json) {
        try {
            return new HttpAnswer(status, JSON, json.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException("an answer could not be written as JSON", e);
        }
    }

    /** The client's mistake, said in one line: {@code {"error":"…"}}. */
    static HttpAnswer error(int status, String error, ObjectMapper json) {
        return json(status, Map.of("error", error), json);
    }

    /** A method the path does not take: {@code 405}, with the ones it takes. */
    static HttpAnswer notAllowed(String allowed, ObjectMapper json) {
        HttpAnswer error = error(405, "method not allowed here; allowed: " + allowed, json);
        return new HttpAnswer(405, error.contentType(), error.body(), allowed);
    }

    static HttpAnswer text(String contentType, String body) {
        return new HttpAnswer(200, contentType, body.getBytes(StandardCharsets.UTF_8));
    }
}
