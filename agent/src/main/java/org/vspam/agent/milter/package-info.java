/**
 * The milter: Postfix's and Sendmail's content filter protocol (version 6), answered at the end of
 * each message from the sender's domain, the client's address and the hosts of the links in its body.
 * Framing and codec ({@link org.vspam.agent.milter.MilterDecoder}, {@link org.vspam.agent.milter.MilterReply}),
 * one connection's conversation ({@link org.vspam.agent.milter.MilterHandler}), the body's links
 * ({@link org.vspam.agent.milter.MessageScan}) and the decision ({@link org.vspam.agent.milter.MilterService}),
 * each knowing one thing.
 */
package org.vspam.agent.milter;
