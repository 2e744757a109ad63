/**
 * Build-time declarations of the network access a protocol bundle needs.
 *
 * <p>{@link org.rawsockets.socket.annotation.RequireSocket} on any class of a bundle makes bnd
 * write a {@code RawSockets-Access} manifest header. The socket service's policy reads that header:
 * a bundle may open a socket only when its declaration <em>and</em> an operator grant both cover
 * the access. Declaring is the developer's half; granting (configuration) is the operator's half.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.rawsockets.socket.annotation;
