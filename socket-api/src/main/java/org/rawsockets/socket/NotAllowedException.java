package org.rawsockets.socket;

/**
 * The policy refused the operation, or a quota of the calling bundle is exhausted. Raised before
 * any packet leaves the machine. The message names the bundle, the destination and the missing
 * grant (or the quota), so an operator can decide whether to grant it.
 */
public class NotAllowedException extends RawSocketException {
    private static final long serialVersionUID = 1L;

    public NotAllowedException(String message) {
        super(message, null);
    }
}
