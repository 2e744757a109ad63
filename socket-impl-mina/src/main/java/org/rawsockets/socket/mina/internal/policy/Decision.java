package org.rawsockets.socket.mina.internal.policy;

import java.util.List;

/**
 * The outcome of checking one access, with everything an operator needs to understand it.
 *
 * @param allowed whether the access is allowed
 * @param owner whose access
 * @param access what
 * @param declaration the bundle's declaration that covers it, or {@code null}
 * @param grant the grant that allows it (allowed), or the closest grant that covers it without
 *            lifting a built-in denial (denied), or {@code null}
 * @param endpointGrant when the access goes through a named endpoint and {@code declaration}
 *            declares only its kind: the grant of {@code endpoint:<name>} that stands in for the
 *            declared destination and port (the endpoint is the operator's); otherwise {@code null}
 * @param denials the built-in denials that apply to the access (lifted when allowed)
 * @param reasons why it is denied, empty when allowed
 * @param fixes what the developer/operator would add to allow it (annotation, exact config line,
 *            shell command), empty when allowed
 */
public record Decision(boolean allowed, Owner owner, Access access, Rule declaration, Rule grant,
        Rule endpointGrant, List<BuiltInDenial> denials, List<String> reasons, List<String> fixes) {

    public Decision {
        denials = List.copyOf(denials);
        reasons = List.copyOf(reasons);
        fixes = List.copyOf(fixes);
    }

    /** One-paragraph explanation, used as the {@link org.rawsockets.socket.NotAllowedException} message. */
    public String message() {
        StringBuilder sb = new StringBuilder();
        sb.append("bundle ").append(owner).append(allowed ? " may " : " may not ").append(access.describe());
        if (allowed) {
            sb.append(": declared (").append(declaration.line().substring(declaration.bundle().length() + 1));
            if (endpointGrant != null) {
                sb.append("; its address and port are endpoint '").append(access.endpointName())
                        .append("''s, granted by '").append(endpointGrant.name()).append("' (")
                        .append(endpointGrant.line()).append(')');
            }
            sb.append(") and granted by '").append(grant.name()).append("' (").append(grant.line()).append(")");
            if (!denials.isEmpty()) {
                sb.append(", which explicitly lifts the built-in denial of ");
                sb.append(String.join(", ", denials.stream().map(BuiltInDenial::description).toList()));
            }
            return sb.toString();
        }
        sb.append(": ").append(String.join("; ", reasons)).append(". ");
        sb.append(String.join(" ", fixes));
        return sb.toString();
    }

    @Override
    public String toString() {
        return (allowed ? "ALLOWED " : "DENIED ") + message();
    }
}
