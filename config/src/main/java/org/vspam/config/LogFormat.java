package org.vspam.config;

/** The {@code log_format} values agent.yml accepts: lines for people, or one JSON object per line for log shippers. */
public enum LogFormat {
    TEXT, JSON
}
