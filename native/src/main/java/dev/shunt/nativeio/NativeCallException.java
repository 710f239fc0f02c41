package dev.shunt.nativeio;

import java.io.IOException;

/**
 * I/O failure of one native call.
 *
 * <p>The message has the form {@code "<call> failed: <strerror text> (errno <n> <NAME>)"},
 * for example {@code "ftruncate failed: Operation not permitted (errno 1 EPERM)"}.
 */
public final class NativeCallException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The name of the native function that failed. */
    private final String call;
    /** The errno the failed call left. */
    private final int errno;

    /**
     * Creates the exception for a failed call.
     *
     * @param call  the name of the native function that failed
     * @param errno the errno it left
     */
    public NativeCallException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno) + " (errno " + errno + " " + Errno.name(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /**
     * The failed call.
     *
     * @return the name of the native function
     */
    public String call() {
        return call;
    }

    /**
     * The errno of the failure.
     *
     * @return the errno value, compare with the constants of {@link Errno}
     */
    public int errno() {
        return errno;
    }
}
