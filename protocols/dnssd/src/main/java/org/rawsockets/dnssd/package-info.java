/**
 * Multicast DNS / DNS-SD client (RFC 6762, RFC 6763) on the socket service.
 *
 * <p>{@link org.rawsockets.dnssd.DnsSd} is the service: {@code browse(type)} follows the instances
 * of a service type as a bounded stream of found/updated/gone events, {@code resolve(instance)}
 * gives host, port, TXT attributes and addresses, {@code query} asks one question once (unicast
 * response requested). Every failure is a {@link org.rawsockets.dnssd.DnsSdException} subtype whose
 * message says what was asked, on which interface and why it failed.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.rawsockets.dnssd;
