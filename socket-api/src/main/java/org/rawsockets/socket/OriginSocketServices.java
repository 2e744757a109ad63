package org.rawsockets.socket;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Socket services that act for a web page's origin: what a bundle that bridges web pages to the
 * network (the Direct Sockets bridge) opens sockets with, so that the operator's policy decides per
 * origin rather than per bridge.
 *
 * <p>Registered with bundle scope, like {@link SocketService}. The sockets of
 * {@link #forOrigin(String, String)} belong to the calling bundle <em>together with</em> the origin:
 * only grants and quotas that name the origin ({@code origin:https://hmi.example.com} in the policy)
 * apply to them, never the bundle's own grants; the calling bundle's declarations still bound what
 * can be opened, and the built-in denials hold. The operator lists the bundles that may act for
 * origins; for any other bundle every open is refused. The sockets show the origin in the audit and
 * the socket list.
 *
 * <p>Authenticating the page (checking its {@code Origin} against an allow-list, its token) is the
 * calling bundle's job: the origin given here is taken as the truth.
 *
 * @since 1.2
 */
@ProviderType
public interface OriginSocketServices {

    /**
     * A socket service for one page connection of {@code origin}. Quotas count per origin across all
     * its connections; closing the returned service closes the sockets opened through it.
     *
     * @param origin the page's serialised origin, {@code <scheme>://<host>[:<port>]} in lower case
     *            without a default port (as browsers send it in the {@code Origin} header)
     * @param client who the page authenticated as (a token's name), for logs and the socket list;
     *            {@code null} when not known
     * @throws IllegalArgumentException when {@code origin} is not a serialised origin (the message
     *             names the rule)
     */
    OriginSocketService forOrigin(String origin, String client);
}
