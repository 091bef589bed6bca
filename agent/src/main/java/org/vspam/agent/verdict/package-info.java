/**
 * What the threat data says about one indicator: listed, suspicious or clean, with the details
 * vspam.org gave, carried through to the HTTP check API.
 */
package org.vspam.agent.verdict;
