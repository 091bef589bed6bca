package org.vspam.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conditions built in one place: Ready from the first failing check, transition times kept while nothing changes. */
class StatusConditionsTest {
    private static final Check CONFIG = Check.holds("ConfigValid", "Valid", "ok");
    private static final Check REPLICAS_DOWN = Check.fails("DeploymentReady", "ReplicasNotReady", "0/2 agent pods ready");

    private static StatusConditions at(String instant) {
        return new StatusConditions(Clock.fixed(Instant.parse(instant), ZoneOffset.UTC));
    }

    @Test
    void readyTakesTheFirstFailingChecksReasonAndMessage() {
        List<Condition> conditions = at("2026-11-26T10:00:00Z").build(List.of(CONFIG, REPLICAS_DOWN), List.of(), "unused", 3L, List.of());

        assertThat(conditions).extracting(Condition::getType).containsExactly("Ready", "ConfigValid", "DeploymentReady");
        assertThat(conditions.getFirst().getStatus()).isEqualTo("False");
        assertThat(conditions.getFirst().getReason()).isEqualTo("ReplicasNotReady");
        assertThat(conditions.getFirst().getMessage()).isEqualTo("0/2 agent pods ready");
        assertThat(conditions).allSatisfy(condition -> assertThat(condition.getObservedGeneration()).isEqualTo(3L));
    }

    @Test
    void anUnchangedStatusIsAnEqualStatus() {
        List<Condition> first = at("2026-11-26T10:00:00Z").build(List.of(CONFIG, REPLICAS_DOWN), List.of(), "", 3L, List.of());
        List<Condition> later = at("2026-11-26T10:05:00Z").build(List.of(CONFIG, REPLICAS_DOWN), List.of(), "", 3L, first);

        assertThat(later).isEqualTo(first);
    }

    @Test
    void aConditionThatFlipsGetsANewTransitionTime() {
        List<Condition> first = at("2026-11-26T10:00:00Z").build(List.of(CONFIG, REPLICAS_DOWN), List.of(), "", 3L, List.of());
        List<Condition> later = at("2026-11-26T10:05:00Z").build(List.of(CONFIG, Check.holds("DeploymentReady", "ReplicasReady", "2/2")),
                List.of(), "2/2 agents ready", 3L, first);

        assertThat(later.getFirst().getStatus()).isEqualTo("True");
        assertThat(later.getFirst().getLastTransitionTime()).isEqualTo("2026-11-26T10:05:00Z");
        assertThat(later.get(1).getLastTransitionTime()).as("ConfigValid did not change").isEqualTo("2026-11-26T10:00:00Z");
    }

    @Test
    void aReconcileErrorTurnsReadyFalseAndKeepsTheRest() {
        List<Condition> good = at("2026-11-26T10:00:00Z").build(List.of(CONFIG), List.of(), "fine", 3L, List.of());
        List<Condition> failed = at("2026-11-26T10:05:00Z").failed("ReconcileError", "Forbidden (retrying)", 3L, good);

        assertThat(failed).extracting(Condition::getType).containsExactly("Ready", "ConfigValid");
        assertThat(failed.getFirst().getReason()).isEqualTo("ReconcileError");
        assertThat(failed.getFirst().getStatus()).isEqualTo("False");
        assertThat(failed.get(1)).isEqualTo(good.get(1));
    }
}
