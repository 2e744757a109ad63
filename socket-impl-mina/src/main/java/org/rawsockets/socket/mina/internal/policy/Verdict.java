package org.rawsockets.socket.mina.internal.policy;

/**
 * The outcome of {@link PolicyEngine#decide(Owner, Access)} without its explanation: a constant, so
 * deciding allocates nothing. {@link PolicyEngine#explain(Owner, Access)} builds the explanation
 * when it is shown or thrown.
 */
public enum Verdict {
    /** Declared, granted, every built-in denial that applies lifted. */
    ALLOWED,
    /** The bundle does not declare it (and no endpoint grant stands in for the declared port). */
    NOT_DECLARED,
    /** Declared, but no grant covers it. */
    NOT_GRANTED,
    /** Declared and covered by a grant, but a built-in denial is not lifted by any covering grant. */
    BUILT_IN_DENIAL;

    public boolean allowed() {
        return this == ALLOWED;
    }
}
