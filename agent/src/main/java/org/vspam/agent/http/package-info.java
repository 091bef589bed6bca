/**
 * The HTTP side (SPEC §8): the check API other MTAs and scripts use, health for Kubernetes, and
 * Prometheus metrics; the same decision path as the policy server.
 */
package org.vspam.agent.http;
