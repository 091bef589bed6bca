package org.vspam.operator.webhook;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Each listener answers its own paths: the TLS one (the Service's webhook port) only reviews, the
 * plain one (probes, metrics) no reviews.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class ListenerFilter {
    @RequestFilter
    @Nullable
    HttpResponse<?> ownPathsOnly(HttpRequest<?> request) {
        boolean review = MutatePodsController.PATH.equals(request.getPath());
        return request.isSecure() == review ? null : HttpResponse.notFound();
    }
}
