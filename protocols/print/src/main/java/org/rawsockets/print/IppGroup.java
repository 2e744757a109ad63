package org.rawsockets.print;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One attribute group of an IPP message: its delimiter tag and its attributes, in wire order. */
public record IppGroup(IppTag tag, List<IppAttribute> attributes) {

    public IppGroup {
        Objects.requireNonNull(tag, "tag");
        if (!tag.isDelimiter() || tag == IppTag.END_OF_ATTRIBUTES) {
            throw new IllegalArgumentException("tag " + tag + " does not start an attribute group");
        }
        attributes = List.copyOf(attributes);
    }

    public Optional<IppAttribute> attribute(String name) {
        return attributes.stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
