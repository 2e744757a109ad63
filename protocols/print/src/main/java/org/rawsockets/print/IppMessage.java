package org.rawsockets.print;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An IPP request or response (RFC 8010 section 3.1.1): version, operation id (request) or status
 * code (response), request id and the attribute groups. Document data after the attributes is not
 * part of it: it is streamed separately.
 *
 * @param version major * 256 + minor, e.g. {@code 0x0200} for IPP/2.0
 * @param code the operation-id of a request, the status-code of a response
 */
public record IppMessage(int version, int code, int requestId, List<IppGroup> groups) {

    public IppMessage {
        if (version < 0 || version > 0xFFFF || code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("version and code are 16-bit unsigned values");
        }
        groups = List.copyOf(groups);
        Objects.requireNonNull(groups);
    }

    /** The first attribute of this name in groups of this tag. */
    public Optional<IppAttribute> attribute(IppTag group, String name) {
        return groups.stream().filter(g -> g.tag() == group).flatMap(g -> g.attributes().stream())
                .filter(a -> a.name().equals(name)).findFirst();
    }

    /** The groups with this tag (a Get-Jobs response has one job group per job). */
    public List<IppGroup> groups(IppTag tag) {
        return groups.stream().filter(g -> g.tag() == tag).toList();
    }

    /** Status codes below 0x0100 are successful (RFC 8011 B.1). */
    public boolean isSuccessful() {
        return code < 0x0100;
    }
}
