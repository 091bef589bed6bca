package org.vspam.agent.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.netty.handler.codec.compression.DecompressionException;
import jakarta.inject.Singleton;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What no more specific handler takes: the HTTP API never answers 5xx for what a client sent. A
 * charset Java does not know is {@code 415}, a body that is not what its {@code Content-Encoding}
 * says is {@code 400}, each with a one-line {@code error} and one debug line; anything else is our
 * own mistake, answered {@code 400} (a client of {@code /check} treats that as "not listed", as it
 * would a 500) and logged in one line.
 */
@Produces
@Singleton
@Requires(classes = ExceptionHandler.class)
@Requires(condition = HttpEnabled.class)
final class BadRequestHandler implements ExceptionHandler<Exception, HttpResponse<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(BadRequestHandler.class);

    @Override
    public HttpResponse<?> handle(HttpRequest request, Exception exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof IllegalCharsetNameException || cause instanceof UnsupportedCharsetException) {
                return refuse(request, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type names a charset that is not known; send UTF-8 JSON");
            }
            if (cause instanceof DecompressionException) {
                return refuse(request, HttpStatus.BAD_REQUEST, "the body is not encoded as its Content-Encoding says; send plain UTF-8 JSON");
            }
        }
        LOG.warn("{} {} could not be answered ({}: {}); answered 400", request.getMethodName(), request.getPath(),
                exception.getClass().getSimpleName(), exception.getMessage());
        return HttpResponse.status(HttpStatus.BAD_REQUEST).body(Map.of("error", "the request could not be read"));
    }

    private static HttpResponse<?> refuse(HttpRequest<?> request, HttpStatus status, String error) {
        LOG.debug("{} {} refused with {}: {}", request.getMethodName(), request.getPath(), status.getCode(), error);
        return HttpResponse.status(status).body(Map.of("error", error));
    }
}
