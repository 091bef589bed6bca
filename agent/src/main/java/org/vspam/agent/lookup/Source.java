package org.vspam.agent.lookup;

/** Where an answer came from. Names are fixed and small: they are log words and metric labels. */
public enum Source {
    LOCAL_CACHE("local_cache"),
    SHARED_CACHE("shared_cache"),
    API("api"),
    DNSBL("dnsbl");

    private final String label;

    Source(String label) {
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
