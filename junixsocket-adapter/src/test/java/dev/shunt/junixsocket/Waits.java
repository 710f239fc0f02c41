package dev.shunt.junixsocket;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded waits on conditions (tests never sleep for a fixed time). */
final class Waits {
    private Waits() {
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code bound}. */
    static void until(BooleanSupplier condition, Duration bound, String what) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + bound + " waiting until " + what);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /**
     * Waits until {@code thread} is inside a blocking socket call: a Shunt ring wait, a {@link ShuntServerSocket}'s
     * wait in {@code accept()}, a junixsocket native call, or junixsocket's park of a virtual thread.
     */
    static void untilBlockedInSocketCall(Thread thread) {
        until(() -> isInSocketCall(thread), Duration.ofSeconds(10), thread.getName() + " blocks in a socket call");
    }

    private static boolean isInSocketCall(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            String cls = frame.getClassName();
            String method = frame.getMethodName().toLowerCase(java.util.Locale.ROOT);
            if (cls.startsWith("dev.shunt.") && (method.contains("wait") || method.contains("park"))) {
                return true;
            }
            if (cls.equals("org.newsclub.net.unix.NativeUnixSocket")
                    || (cls.startsWith("org.newsclub.net.unix.") && method.contains("park"))) {
                return true;
            }
        }
        return false;
    }
}
