package org.rawsockets.skeleton;

/** A failed call: the message names the server, the operation and the cause (attached when there is one). */
public class SkeletonException extends Exception {

    private static final long serialVersionUID = 1L;

    public SkeletonException(String message, Throwable cause) {
        super(message, cause);
    }

    public SkeletonException(String message) {
        super(message);
    }
}
