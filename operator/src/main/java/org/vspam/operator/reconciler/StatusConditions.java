package org.vspam.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the status conditions in one place: {@code Ready} summarizes the checks that decide whether
 * mail is protected (the first failing one gives its reason), every condition carries the generation
 * it describes, and a condition whose status did not change keeps its lastTransitionTime, so an
 * unchanged resource produces an equal status and no write.
 */
final class StatusConditions {
    static final String READY = "Ready";

    private final Clock clock;

    StatusConditions(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param decisive the checks Ready is made of, in the order their failures are reported
     * @param informational checks shown but not part of Ready (metrics scraping)
     */
    List<Condition> build(List<Check> decisive, List<Check> informational, String readyMessage, Long generation, List<Condition> previous) {
        Optional<Check> failing = decisive.stream().filter(check -> !check.holds()).findFirst();
        Check ready = failing.map(check -> Check.fails(READY, check.reason(), check.message()))
                .orElseGet(() -> Check.holds(READY, "Ready", readyMessage));
        List<Condition> conditions = new ArrayList<>();
        conditions.add(condition(ready, generation, previous));
        decisive.forEach(check -> conditions.add(condition(check, generation, previous)));
        informational.forEach(check -> conditions.add(condition(check, generation, previous)));
        return conditions;
    }

    /** Ready false for {@code reason}; the other conditions stay as they were. */
    List<Condition> failed(String reason, String message, Long generation, List<Condition> previous) {
        List<Condition> conditions = new ArrayList<>();
        conditions.add(condition(Check.fails(READY, reason, message), generation, previous));
        previous.stream().filter(old -> !old.getType().equals(READY)).forEach(conditions::add);
        return conditions;
    }

    private Condition condition(Check check, Long generation, List<Condition> previous) {
        String status = check.holds() ? "True" : "False";
        String since = previous == null ? null : previous.stream()
                .filter(old -> old.getType().equals(check.type()) && old.getStatus().equals(status))
                .map(Condition::getLastTransitionTime).findFirst().orElse(null);
        return new ConditionBuilder()
                .withType(check.type())
                .withStatus(status)
                .withReason(check.reason())
                .withMessage(check.message())
                .withObservedGeneration(generation)
                .withLastTransitionTime(since != null ? since : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString())
                .build();
    }
}
