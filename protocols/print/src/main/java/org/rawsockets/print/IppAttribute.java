package org.rawsockets.print;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** A named IPP attribute with one or more values (a "1setOf" has several). */
public record IppAttribute(String name, List<IppValue> values) {

    public IppAttribute {
        Objects.requireNonNull(name, "name");
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("attribute " + name + " needs at least one value");
        }
    }

    public static IppAttribute of(String name, IppValue... values) {
        return new IppAttribute(name, List.of(values));
    }

    /** The first value. */
    public IppValue value() {
        return values.get(0);
    }

    /** The values in their text form, comma-separated. */
    public String text() {
        return values.stream().map(IppValue::toString).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return name + "=" + text();
    }
}
