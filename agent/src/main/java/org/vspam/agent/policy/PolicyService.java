package org.vspam.agent.policy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.decision.DecisionService;
import org.vspam.agent.decision.MailQuery;
import org.vspam.agent.decision.Transport;

/**
 * Answers a policy request: the sender's domain and the client address go through the decision
 * path, and its outcome is told to Postfix with the texts it was decided under (a failure of the
 * agent's own is decided by the decision service, under {@code failure_action}). Knows nothing of Netty.
 */
public final class PolicyService {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyService.class);
    private final DecisionService decisions;
    private final Consumer<String> clientAddresses;

    /** {@code clientAddresses} is told each access-policy request's {@code client_address}, as Postfix sent it. */
    public PolicyService(DecisionService decisions, Consumer<String> clientAddresses) {
        this.decisions = decisions;
        this.clientAddresses = clientAddresses;
    }

    /** Never completes exceptionally; {@code timer} keeps the decision's deadline (the connection's event loop). */
    public CompletableFuture<PolicyAction> answer(PolicyRequest request, ScheduledExecutorService timer) {
        CompletableFuture<PolicyAction> action = decide(request, timer);
        if (request.malformed() != null) {
            // said once the answer is known: the line is ignored and the other attributes decide
            action.thenAccept(answered -> LOG.warn("policy request with a malformed line ({}), ignored; the rest of the request "
                    + "was answered {}", request.malformed(), answered.wireText().strip()));
        }
        return action;
    }

    private CompletableFuture<PolicyAction> decide(PolicyRequest request, ScheduledExecutorService timer) {
        if (!request.isAccessPolicy()) {
            return CompletableFuture.completedFuture(PolicyAction.DUNNO);
        }
        clientAddresses.accept(request.clientAddress());
        return decisions.decide(query(request), Transport.POLICY, timer).thenApply(PolicyAction::of);
    }

    static MailQuery query(PolicyRequest request) {
        return MailQuery.envelope(request.sender(), request.senderDomain(), request.clientAddress(), request.saslUsername(),
                request.recipient().isEmpty() ? List.of() : List.of(request.recipient()));
    }
}
