/**
 * The command line: {@code vspam-agent [--config FILE] serve}, {@code check <domain|ip|address>},
 * {@code --version}. Errors are one line on standard error and a non-zero exit status.
 */
package org.vspam.agent.cli;
