/**
 * Printing over the socket service: IPP and IPPS (RFC 8010/8011) over a bounded HTTP/1.1 client,
 * LPD (RFC 1179) and raw 9100 (AppSocket/JetDirect, optional PJL).
 *
 * <p>{@link org.rawsockets.print.Printer} is the service of one configured printer; the IPP model
 * ({@link org.rawsockets.print.IppMessage}, {@link org.rawsockets.print.IppAttribute},
 * {@link org.rawsockets.print.IppValue}, {@link org.rawsockets.print.IppTag}) is what
 * {@link org.rawsockets.print.Printer#attributes} returns. Every failure is a
 * {@link org.rawsockets.print.PrintException} subtype.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.rawsockets.print;
