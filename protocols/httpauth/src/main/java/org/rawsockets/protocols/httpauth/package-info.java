/**
 * The client side of HTTP authentication shared by protocol bundles: the challenges of a
 * {@code WWW-Authenticate} or {@code Proxy-Authenticate} header, Basic and Digest answers. Not
 * exported: each bundle that uses it embeds this package privately (bnd {@code -conditionalpackage}).
 */
package org.rawsockets.protocols.httpauth;
