package org.vspam.agent.decision;

/** How a request reached the agent: a metric label and a log word. */
public enum Transport {
    POLICY("policy"), HTTP("http"), MILTER("milter"), CLI("cli");

    private final String label;

    Transport(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
