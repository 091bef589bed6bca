package org.vspam.config;

import java.util.Optional;

/**
 * The milter: where it listens (empty = off), the mode of its unix socket, and how much of each
 * message it reads. Beyond the limits the rest of a message is not checked, and never refused for it.
 *
 * @param listen     {@code milter_listen}: {@code unix:/path} or {@code tcp://HOST:PORT}
 * @param socketMode {@code milter_socket_mode}: file mode of a unix milter socket
 * @param maxUrls    {@code milter_max_urls}: distinct link hosts looked up per message
 * @param maxBody    {@code milter_max_body}: bytes of decoded text scanned for links per message
 */
public record MilterSettings(Optional<ListenAddress> listen, int socketMode, int maxUrls, long maxBody) {
}
