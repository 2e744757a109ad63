package org.rawsockets.socket.admin;

import java.util.List;

/**
 * The socket policy in force.
 *
 * @param defaultGrants whether the default loopback grants are on
 * @param grants the grants in force (default ones included, named {@code default.*})
 * @param builtInDenials what is refused even under a broad grant
 * @param defaultQuotas the quotas of every bundle, e.g. {@code maxOpenSockets=256 ...}
 * @param quotaOverrides per-bundle overrides, as {@code quota.<name> = <bundle> <quotas>}
 * @param errors configuration lines that were rejected (they allow nothing)
 * @param declarations what the installed bundles declare ({@code RawSockets-Access})
 * @param refusals accesses refused since start
 */
public record PolicySnapshot(boolean defaultGrants, List<Grant> grants, List<Denial> builtInDenials,
        String defaultQuotas, List<String> quotaOverrides, List<String> errors, List<BundleDeclaration> declarations,
        long refusals) {

    public PolicySnapshot {
        grants = List.copyOf(grants);
        builtInDenials = List.copyOf(builtInDenials);
        quotaOverrides = List.copyOf(quotaOverrides);
        errors = List.copyOf(errors);
        declarations = List.copyOf(declarations);
    }

    /** One grant: {@code grant.<name> = <line>}. */
    public record Grant(String name, String line) {
    }

    /** A built-in denial: its id, what it covers, the address blocks. */
    public record Denial(String id, String description, List<String> blocks) {
        public Denial {
            blocks = List.copyOf(blocks);
        }
    }

    /** A bundle's {@code RawSockets-Access} header and the errors in it. */
    public record BundleDeclaration(long bundleId, String symbolicName, String header, List<String> errors) {
        public BundleDeclaration {
            errors = List.copyOf(errors);
        }
    }
}
