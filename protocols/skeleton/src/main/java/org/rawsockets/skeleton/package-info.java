/**
 * Skeleton client API: one {@link org.rawsockets.skeleton.SkeletonClient} service per configured
 * server, and the typed failure of a call.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.rawsockets.skeleton;
