/**
 * The vspam operator process: a Micronaut application hosting the Java Operator SDK, with health,
 * Prometheus metrics, leader election and the namespaces it watches as settings.
 */
package org.vspam.operator;
