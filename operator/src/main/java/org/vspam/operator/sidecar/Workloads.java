package org.vspam.operator.sidecar;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** Which workloads a {@code spec.sidecars.selector} selects: Kubernetes label selector semantics on the workload's own labels. */
public final class Workloads {
    private Workloads() {
    }

    public static boolean selects(LabelSelector selector, Workload workload) {
        return matches(selector, workload.labels());
    }

    /** An empty selector matches nothing here: protecting every workload of a namespace must be asked for explicitly. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        Map<String, String> matchLabels = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
        if (matchLabels.isEmpty() && expressions.isEmpty()) {
            return false;
        }
        Map<String, String> actual = labels == null ? Map.of() : labels;
        return matchLabels.entrySet().stream().allMatch(wanted -> wanted.getValue().equals(actual.get(wanted.getKey())))
                && expressions.stream().allMatch(requirement -> satisfies(requirement, actual));
    }

    private static boolean satisfies(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false; // the API server rejects other operators
        };
    }
}
