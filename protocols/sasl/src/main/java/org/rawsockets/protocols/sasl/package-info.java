/**
 * The client side of SASL mechanisms shared by protocol bundles (SCRAM-SHA-256 and SCRAM-SHA-512).
 * Not exported: each bundle that uses it embeds this package privately (bnd
 * {@code -conditionalpackage}).
 */
package org.rawsockets.protocols.sasl;
