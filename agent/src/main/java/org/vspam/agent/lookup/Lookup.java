package org.vspam.agent.lookup;

import java.util.OptionalLong;
import org.vspam.agent.verdict.Verdict;

/** One source's result for one indicator: a definitive answer, or a reason to ask the next source. */
public sealed interface Lookup {

    Source source();

    /**
     * A definitive answer, listed or clean; the chain stops here and the answer is cached.
     *
     * @param expiresAtMillis until when the answer holds: set by a cache tier for what it already
     *                        held, stamped by the chain ({@code now + cache_ttl}) for fresh answers
     */
    record Answered(Source source, Verdict verdict, OptionalLong expiresAtMillis) implements Lookup {

        /** A fresh answer from an upstream source; the chain decides how long it holds. */
        public Answered(Source source, Verdict verdict) {
            this(source, verdict, OptionalLong.empty());
        }
    }

    /** No answer from this source; the chain goes on. Never cached. */
    record Skipped(Source source, Reason reason, String detail) implements Lookup {
    }

    /** Why a source gave no answer. Labels are metric label values. */
    enum Reason {
        DISABLED("disabled"), MISS("miss"), ERROR("error"), TIMEOUT("timeout");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The outcome as a metric label: the verdict for answers, the reason otherwise. */
    default String outcome() {
        return switch (this) {
            case Answered a -> a.verdict().label();
            case Skipped s -> s.reason().label();
        };
    }
}
