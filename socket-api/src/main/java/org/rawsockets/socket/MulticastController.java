package org.rawsockets.socket;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Multicast group membership of a bound {@link UdpSocket} (Direct Sockets
 * {@code MulticastController}). The interface used is {@link UdpSocketOptions#multicastInterface()}
 * when set, else the system's default.
 */
@ProviderType
public interface MulticastController {

    /**
     * Joins a group.
     *
     * @param groupAddress an IPv4 (224.0.0.0/4) or IPv6 (ff00::/8) multicast address literal
     * @throws IllegalArgumentException when it is not a multicast address literal
     * @return completes when joined; fails with {@link NotAllowedException} or
     *         {@link NetworkException}
     */
    CompletionStage<Void> joinGroup(String groupAddress);

    /** Leaves a group joined before. */
    CompletionStage<Void> leaveGroup(String groupAddress);

    /** The groups currently joined. */
    List<String> joinedGroups();
}
