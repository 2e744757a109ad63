package org.rawsockets.socket.contract;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Put on an implementation's runner class to disable one contract test that the implementation
 * knowingly does not meet yet, with the reason (shown as the skip reason). The contract itself
 * stays unchanged for every other implementation; a gap is visible in the runner's source and in
 * every test report.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(ImplementationGap.List.class)
public @interface ImplementationGap {

    /** The contract test method's name. */
    String test();

    /** What the implementation lacks, and where it is tracked. */
    String reason();

    /** Container of repeated gaps. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        ImplementationGap[] value();
    }
}
