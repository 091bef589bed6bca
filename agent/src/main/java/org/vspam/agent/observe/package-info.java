/**
 * What an operator sees: Prometheus metrics with small fixed label sets, and one log line per
 * blocked decision naming the indicator, its category and the source that listed it.
 */
package org.vspam.agent.observe;
