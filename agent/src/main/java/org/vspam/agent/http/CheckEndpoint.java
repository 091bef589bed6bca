package org.vspam.agent.http;

import io.micronaut.core.annotation.Nullable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.decision.Decision;
import org.vspam.agent.decision.DecisionService;
import org.vspam.agent.decision.Listing;
import org.vspam.agent.decision.MailQuery;
import org.vspam.agent.decision.Transport;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.indicator.InvalidIndicatorException;
import org.vspam.agent.verdict.ThreatDetails;

/**
 * {@code GET /check?sender_domain=…&client_ip=…} and {@code POST /check} with a JSON body: the
 * policy server's decision, as JSON. Bad input is a {@code 400} with a one-line {@code error}.
 */
final class CheckEndpoint {
    private final DecisionService decisions;
    private final ObjectMapper json;
    private final int maxLinkHosts;
    private final Counter skippedUrls;
    private final Counter skippedHosts;
    private final NewLookupBudgets budgets;

    /** {@code maxLinkHosts}: {@code milter_max_urls}, the most distinct link hosts one request has looked up. */
    CheckEndpoint(DecisionService decisions, ObjectMapper json, MeterRegistry registry, int maxLinkHosts, NewLookupBudgets budgets) {
        this.decisions = decisions;
        this.budgets = budgets;
        this.json = json;
        this.maxLinkHosts = maxLinkHosts;
        this.skippedUrls = Counter.builder("vspam.check.urls.skipped")
                .description("urls entries of /check requests with no usable host, skipped").register(registry);
        this.skippedHosts = Counter.builder("vspam.check.links.skipped")
                .description("distinct link hosts not checked because a /check request had more than milter_max_urls").register(registry);
    }

    /** {@code client}: who asks, whose budget of new lookups this request spends. */
    CompletableFuture<HttpAnswer> get(@Nullable String senderDomain, @Nullable String clientIp, SocketAddress client) {
        return check(new CheckRequest(senderDomain, clientIp, null), client);
    }

    /** {@code body} already decoded by its charset; empty when none was sent. */
    CompletableFuture<HttpAnswer> post(String body, SocketAddress client) {
        CheckRequest request;
        try {
            request = body.isBlank() ? new CheckRequest(null, null, null) : fromJson(json.readValue(body, JsonNode.class));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(badRequest("request body is not a JSON object with sender_domain, client_ip or urls"));
        }
        return check(request, client);
    }

    /**
     * Read leniently, as clients write it: a {@code urls} entry that is not a string is skipped like
     * one with no host, and an empty Lua table (what rspamd's UCL makes of no URLs) may come as {@code {}}.
     */
    private static CheckRequest fromJson(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        List<String> urls = null;
        JsonNode given = body.get("urls");
        if (given != null && (given.isArray() || given.isObject())) {
            urls = new ArrayList<>();
            for (JsonNode url : given.values()) {
                urls.add(url.isString() ? url.getStringValue() : null);
            }
        }
        return new CheckRequest(text(body, "sender_domain"), text(body, "client_ip"), urls);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return value.getStringValue();
    }

    private CompletableFuture<HttpAnswer> check(CheckRequest request, SocketAddress client) {
        List<CheckRequest.Asked> asked;
        try {
            CheckRequest.Asking asking = request.indicators(maxLinkHosts);
            asked = asking.asked();
            skippedUrls.increment(asking.skippedUrls());
            skippedHosts.increment(asking.skippedHosts());
        } catch (InvalidIndicatorException e) {
            return CompletableFuture.completedFuture(badRequest(e.getMessage()));
        }
        MailQuery query = new MailQuery("", request.senderDomain() == null ? "" : Indicator.domainOrAddress(request.senderDomain().strip()),
                request.clientIp() == null ? "" : request.clientIp().strip(), "", List.of(), asked.stream().map(CheckRequest.Asked::indicator).toList());
        return decisions.decide(query, Transport.HTTP, budgets.of(client))
                .thenApply(decision -> HttpAnswer.json(200, render(decision, asked), json));
    }

    /**
     * The one place a decision becomes a {@code /check} answer: {@code malicious} says whether a
     * listing was found, {@code action} what the agent does about it (reject, defer, tag or allow).
     */
    static CheckResponse render(Decision decision, List<CheckRequest.Asked> asked) {
        String action = decision.outcome().word().label();
        return decision.outcome().listing()
                .map(listing -> describe(listing.listed(), action, listing, asked))
                .orElseGet(() -> action.equals(CheckResponse.ALLOW.action()) ? CheckResponse.ALLOW
                        : new CheckResponse(false, action, null, null, null, null, null, null, null, null));
    }

    private static CheckResponse describe(boolean malicious, String action, Listing listing, List<CheckRequest.Asked> asked) {
        String category = listing.category();
        ThreatDetails details = listing.details();
        Finding.Answered finding = listing.finding();
        String given = asked.stream().filter(a -> a.indicator().equals(finding.indicator())).map(CheckRequest.Asked::given)
                .findFirst().orElse(finding.indicator().value());
        String iocValue = finding.indicator().kind() == Indicator.Kind.URL ? given : finding.indicator().value();
        return new CheckResponse(malicious, action, malicious ? "vspam.org: " + category : null, category, malicious ? Boolean.TRUE : null,
                finding.indicator().kind().iocType(), iocValue, finding.indicator().value(),
                details == null ? null : details.effectiveDecision(),
                malicious || details == null ? null : details.scoring()); // scoring is what rspamd weighs for the unlisted
    }

    private HttpAnswer badRequest(String error) {
        return HttpAnswer.error(400, error, json);
    }
}
