package org.vspam.agent.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.vspam.agent.cache.VerdictCache.Finding;
import org.vspam.agent.decision.Decision;
import org.vspam.agent.decision.DecisionService;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.indicator.InvalidIndicatorException;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;

/**
 * {@code GET /check?sender_domain=…&client_ip=…} and {@code POST /check} with a JSON body: the
 * policy server's decision, as JSON. Bad input is a {@code 400} with a one-line {@code error}.
 */
@Controller("/check")
final class CheckController {
    static final String TRANSPORT = "http";

    private final DecisionService decisions;
    private final ObjectMapper json;

    CheckController(DecisionService decisions, ObjectMapper json) {
        this.decisions = decisions;
        this.json = json;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> get(@QueryValue("sender_domain") @Nullable String senderDomain,
                                           @QueryValue("client_ip") @Nullable String clientIp) {
        return check(new CheckRequest(senderDomain, clientIp, null));
    }

    @Post(consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> post(@Body @Nullable String body) {
        CheckRequest request;
        try {
            request = body == null || body.isBlank() ? null : json.readValue(body, CheckRequest.class);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(badRequest("request body is not a JSON object with sender_domain, client_ip or urls"));
        }
        return check(request == null ? new CheckRequest(null, null, null) : request);
    }

    private CompletableFuture<HttpResponse<?>> check(CheckRequest request) {
        List<CheckRequest.Asked> asked;
        try {
            asked = request.indicators();
        } catch (InvalidIndicatorException e) {
            return CompletableFuture.completedFuture(badRequest(e.getMessage()));
        }
        return decisions.decide(asked.stream().map(CheckRequest.Asked::indicator).toList(), TRANSPORT)
                .<HttpResponse<?>>thenApply(decision -> HttpResponse.ok(render(decision, asked)))
                .exceptionally(failure -> HttpResponse.ok(CheckResponse.ALLOW)); // fail-open, as everywhere
    }

    /** The one place a decision becomes a {@code /check} answer. */
    static CheckResponse render(Decision decision, List<CheckRequest.Asked> asked) {
        return switch (decision.verdict()) {
            case Verdict.Listed listed -> describe(true, "reject", listed.category(), listed.details(), decision, asked);
            case Verdict.Suspicious suspicious -> describe(false, "allow", suspicious.category(), suspicious.details(), decision, asked);
            case Verdict.Clean clean -> CheckResponse.ALLOW;
        };
    }

    private static CheckResponse describe(boolean malicious, String action, String category, ThreatDetails details,
                                          Decision decision, List<CheckRequest.Asked> asked) {
        Finding finding = decision.decisive().orElseThrow();
        String given = asked.stream().filter(a -> a.indicator().equals(finding.indicator())).map(CheckRequest.Asked::given)
                .findFirst().orElse(finding.indicator().value());
        String iocValue = finding.indicator().kind() == Indicator.Kind.URL ? given : finding.indicator().value();
        return new CheckResponse(malicious, action, malicious ? "vspam.org: " + category : null, category, malicious ? Boolean.TRUE : null,
                finding.indicator().kind().iocType(), iocValue, finding.indicator().value(),
                details == null ? null : details.effectiveDecision(),
                malicious || details == null ? null : details.scoring()); // scoring is what rspamd weighs for the unlisted
    }

    static HttpResponse<?> badRequest(String error) {
        return HttpResponse.badRequest(Map.of("error", error));
    }
}
