package org.vspam.config;

/** {@code mode}: whether listings are acted on, or only tagged and counted for a trial on live mail. */
public enum Mode {
    /** Each family's action is carried out. */
    ENFORCE,
    /** Decided as in enforce; what would be refused or deferred is tagged instead, and nothing is reported. */
    MONITOR
}
