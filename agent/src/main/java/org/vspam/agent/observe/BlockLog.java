package org.vspam.agent.observe;

import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.cache.VerdictCache.Finding;
import org.vspam.agent.decision.Decision;
import org.vspam.agent.decision.DecisionListener;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.verdict.Verdict;

/**
 * One line per blocked decision, so that grepping the log for a domain explains a refusal; allowed
 * requests are logged only at debug.
 */
@Singleton
public final class BlockLog implements DecisionListener {
    private static final Logger LOG = LoggerFactory.getLogger("org.vspam.agent.blocked");

    @Override
    public void decided(String transport, Decision decision, long nanos) {
        if (decision.verdict() instanceof Verdict.Listed listed && decision.decisive().isPresent()) {
            Finding finding = decision.decisive().get();
            LOG.info("{} {} category={} source={} via={}", finding.indicator().kind().iocType(), finding.indicator().value(),
                    listed.category(), origin(finding), transport);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("allowed verdict={} failed_open={} indicators={} via={}", decision.verdict().label(), decision.failedOpen(),
                    decision.findings().stream().map(f -> f.indicator().value()).toList(), transport);
        }
    }

    private static String origin(Finding finding) {
        String origin = finding.verdict().orElseThrow().origin().label();
        return finding.source() == Source.LOCAL_CACHE ? "local_cache(" + origin + ")" : origin;
    }
}
