package org.vspam.agent.cache;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.Arrays;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;

/**
 * A verdict as it is written outside the process (the cache snapshot): short field names, the
 * source that answered and the moment the answer stops being valid.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredVerdict(
        @JsonProperty("v") String verdict,
        @JsonProperty("c") @Nullable String category,
        @JsonProperty("d") @Nullable ThreatDetails details,
        @JsonProperty("s") String source,
        @JsonProperty("x") long expiresAtMillis) {

    public static StoredVerdict of(Verdict verdict, Source origin, long expiresAtMillis) {
        return of(new CachedVerdict(verdict, origin, expiresAtMillis));
    }

    static StoredVerdict of(CachedVerdict cached) {
        return switch (cached.verdict()) {
            case Verdict.Listed l -> new StoredVerdict("listed", l.category(), l.details(), cached.origin().label(), cached.expiresAtMillis());
            case Verdict.Suspicious s -> new StoredVerdict("suspicious", s.category(), s.details(), cached.origin().label(), cached.expiresAtMillis());
            case Verdict.Clean c -> new StoredVerdict("clean", null, null, cached.origin().label(), cached.expiresAtMillis());
        };
    }

    public CachedVerdict toCached() {
        Verdict value = switch (verdict) {
            case "listed" -> new Verdict.Listed(category, details);
            case "suspicious" -> new Verdict.Suspicious(category, details);
            case "clean" -> Verdict.CLEAN;
            default -> throw new IllegalArgumentException("unknown verdict \"" + verdict + "\"");
        };
        Source origin = Arrays.stream(Source.values()).filter(s -> s.label().equals(source)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown source \"" + source + "\""));
        return new CachedVerdict(value, origin, expiresAtMillis);
    }
}
