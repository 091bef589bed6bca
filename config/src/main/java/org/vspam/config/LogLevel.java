package org.vspam.config;

/** The {@code log_level} values agent.yml accepts. */
public enum LogLevel {
    DEBUG, INFO, WARN, ERROR
}
