/**
 * Operator views for management code (the web console, status pages), beside
 * {@link org.rawsockets.socket.SocketAdmin}:
 * <ul>
 * <li>{@link org.rawsockets.socket.admin.PolicyAdmin}: the socket policy in force (grants, built-in
 * denials, quotas, declarations), {@code explain}, adding and revoking grants, and the audit ring
 * with sequence numbers for live views. Provided by the socket service implementation.</li>
 * <li>{@link org.rawsockets.socket.admin.DeviceStatusProvider}: implemented by protocol bundles to
 * publish the devices or servers they talk to (name, kind, endpoint, state, last error), so a
 * console shows them without importing any protocol bundle.</li>
 * </ul>
 * Not for protocol bundles' socket use: these services are meant for operator tools.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.rawsockets.socket.admin;
