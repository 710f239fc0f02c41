package dev.shunt.nativeio;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.Out;

/**
 * Loads glibc once per class loader and hands out the binding, its runtime and errno.
 *
 * <p>The binding interface {@link LibC} is declared {@code public} inside this
 * package-private class: JNR defines its implementation in a class loader of its own, which
 * cannot implement a package-private interface (that fails with {@link IllegalAccessError}),
 * while the enclosing class keeps the interface out of reach of other packages.
 */
final class LibCHolder {

    /** The glibc binding. */
    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

    /** The JNR runtime of {@link #LIBC}, for memory allocation and errno. */
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private LibCHolder() {
    }

    /**
     * The errno saved by the last errno-keeping call of this thread.
     *
     * @return the errno value
     */
    static int errno() {
        return RUNTIME.getLastError();
    }

    /**
     * The glibc functions this module calls, bound through JNR-FFI.
     *
     * <p>Binding rules (see jnr-ffi issue 181 and docs/platform notes):
     * <ul>
     *   <li>No binding has six parameters that are all primitives: the default x86 asm stubs
     *       corrupt the sixth argument of such calls. {@link #mmap} therefore takes its unused
     *       first argument as a {@link Pointer} (always {@code null}).</li>
     *   <li>{@link #syscall} is bound with five arguments, enough for {@code FUTEX_WAIT} and
     *       {@code FUTEX_WAKE}; seven arguments would fall to a slow path.</li>
     *   <li>Calls on hot paths take raw addresses as {@code long} so that no object is created
     *       per call; {@link IgnoreError} marks those that never need errno.</li>
     * </ul>
     */
    public interface LibC {

        /** {@code int memfd_create(const char *name, unsigned int flags)}. */
        int memfd_create(String name, int flags);

        /** {@code int ftruncate(int fd, off_t length)}. */
        int ftruncate(int fd, long length);

        /** {@code int fcntl(int fd, int cmd, int arg)}: the variadic argument passed as an int. */
        int fcntl(int fd, int cmd, int arg);

        /** {@code int fstat(int fd, struct stat *buf)}; buf must hold 144 bytes. */
        int fstat(int fd, Pointer buf);

        /** {@code void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)}; addr is always null. */
        long mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

        /** {@code int madvise(void *addr, size_t length, int advice)}. */
        int madvise(long address, long length, int advice);

        /** {@code int munmap(void *addr, size_t length)}. */
        int munmap(long address, long length);

        /** {@code long sysconf(int name)}. */
        long sysconf(int name);

        /** {@code int close(int fd)}; the result is not examined, so errno is not kept. */
        @IgnoreError
        int close(int fd);

        /** {@code int eventfd(unsigned int initval, int flags)}. */
        int eventfd(int initialValue, int flags);

        /** {@code ssize_t read(int fd, void *buf, size_t count)} with buf as an address. */
        long read(int fd, long buffer, long count);

        /** {@code ssize_t write(int fd, const void *buf, size_t count)} with buf as an address. */
        long write(int fd, long buffer, long count);

        /** {@code long syscall(long number, ...)} with four further arguments, used for futex. */
        long syscall(long number, long arg1, long arg2, long arg3, long arg4);

        /**
         * {@code long syscall(long number, ...)} with five further arguments, used for {@code futex_waitv}; the first
         * is a {@link Pointer} so that not all six parameters are primitives (see above).
         */
        long syscall(long number, Pointer arg1, long arg2, long arg3, long arg4, long arg5);

        /** {@code char *strerror(int errnum)}. */
        String strerror(int errno);

        /** {@code int pkey_alloc(unsigned int flags, unsigned int access_rights)}. */
        int pkey_alloc(int flags, int accessRights);

        /** {@code int pkey_free(int pkey)}. */
        int pkey_free(int key);

        /** {@code int mprotect(void *addr, size_t len, int prot)}. */
        int mprotect(long address, long length, int prot);

        /** {@code int pkey_mprotect(void *addr, size_t len, int prot, int pkey)}. */
        int pkey_mprotect(long address, long length, int prot, int key);

        /** {@code int pkey_set(int pkey, unsigned int access_rights)}; hot path, errno not kept. */
        @IgnoreError
        int pkey_set(int key, int rights);

        /** {@code int pkey_get(int pkey)}; hot path, errno not kept. */
        @IgnoreError
        int pkey_get(int key);

        /** {@code int socket(int domain, int type, int protocol)}. */
        int socket(int domain, int type, int protocol);

        /** {@code int socketpair(int domain, int type, int protocol, int sv[2])}. */
        int socketpair(int domain, int type, int protocol, @Out int[] pair);

        /** {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)}. */
        int bind(int fd, Pointer address, int addressLength);

        /** {@code int connect(int fd, const struct sockaddr *addr, socklen_t len)}. */
        int connect(int fd, Pointer address, int addressLength);

        /** {@code int listen(int fd, int backlog)}. */
        int listen(int fd, int backlog);

        /** {@code int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)}. */
        int accept4(int fd, Pointer address, Pointer addressLength, int flags);

        /** {@code int getpeername(int fd, struct sockaddr *addr, socklen_t *len)}. */
        int getpeername(int fd, Pointer address, Pointer addressLength);

        /** {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *len)}. */
        int getsockname(int fd, Pointer address, Pointer addressLength);

        /** {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *len)}. */
        int getsockopt(int fd, int level, int name, Pointer value, Pointer valueLength);

        /** {@code ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)}. */
        long sendmsg(int fd, Pointer message, int flags);

        /** {@code ssize_t recvmsg(int fd, struct msghdr *msg, int flags)}. */
        long recvmsg(int fd, Pointer message, int flags);

        /** {@code ssize_t send(int fd, const void *buf, size_t len, int flags)}. */
        long send(int fd, Pointer buffer, long length, int flags);

        /** {@code ssize_t recv(int fd, void *buf, size_t len, int flags)}. */
        long recv(int fd, Pointer buffer, long length, int flags);

        /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}. */
        int poll(Pointer fds, long count, int timeoutMillis);

        /** {@code int shutdown(int fd, int how)}. */
        int shutdown(int fd, int how);

        /** {@code int sched_getcpu(void)}: vDSO/rseq in glibc, no system call; errno not kept. */
        @IgnoreError
        int sched_getcpu();

        /** {@code int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask)}. */
        int sched_getaffinity(int pid, long size, Pointer mask);

        /** {@code int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask)}. */
        int sched_setaffinity(int pid, long size, Pointer mask);

        /** {@code int epoll_create1(int flags)}. */
        int epoll_create1(int flags);

        /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)}. */
        int epoll_ctl(int epfd, int op, int fd, Pointer event);

        /** {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)}. */
        int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis);
    }
}
