/**
 * One decision per request, shared by every transport: the request's indicators looked up in
 * parallel, the first listed one in order deciding, everything under one deadline, fail-open.
 */
package org.vspam.agent.decision;
