package org.vspam.operator.reconciler;

import org.vspam.operator.plan.AgentPlan;

/**
 * One condition of the status before it is stamped: its type, whether it holds, a CamelCase reason
 * and a message that tells an operator what to do about it.
 */
record Check(String type, boolean holds, String reason, String message) {

    static Check holds(String type, String reason, String message) {
        return new Check(type, true, reason, message);
    }

    static Check fails(String type, String reason, String message) {
        return new Check(type, false, reason, message);
    }

    static Check fails(String type, AgentPlan.Problem problem) {
        return new Check(type, false, problem.reason(), problem.message());
    }
}
