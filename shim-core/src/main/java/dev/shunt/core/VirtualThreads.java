package dev.shunt.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Tells virtual threads apart on JDK 21 and later while compiling for Java 17 ({@code Thread.isVirtual()} is
 * looked up once; on older JDKs every thread is a platform thread).
 */
final class VirtualThreads {
    private static final MethodHandle IS_VIRTUAL = lookUp();

    private VirtualThreads() {
    }

    private static MethodHandle lookUp() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /** @return whether the calling thread is a virtual thread */
    static boolean current() {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.isVirtual failed", e);
        }
    }
}
