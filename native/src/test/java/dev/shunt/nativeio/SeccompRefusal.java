package dev.shunt.nativeio;

import java.lang.ref.Reference;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Installs, on the calling thread only, a seccomp filter that refuses one system call with {@code EPERM}, as
 * Docker's default profile refuses {@code pkey_alloc}. Without {@code SECCOMP_FILTER_FLAG_TSYNC}
 * the filter binds the calling thread (and threads it starts), so a test runs it on a
 * thread of its own and the rest of the test JVM is unaffected.
 */
final class SeccompRefusal {

    private static final int PR_SET_SECCOMP = 22;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final long SECCOMP_MODE_FILTER = 2;
    private static final int SYS_PKEY_ALLOC = 330;
    private static final int SYS_FUTEX_WAITV = 449;
    private static final int SYS_SCHED_SETAFFINITY = 203;
    private static final int BPF_LD_W_ABS = 0x20;
    private static final int BPF_JMP_JEQ_K = 0x15;
    private static final int BPF_RET_K = 0x06;
    private static final int SECCOMP_RET_ERRNO = 0x0005_0000;
    private static final int SECCOMP_RET_ALLOW = 0x7fff_0000;

    /** prctl, for this test helper only. */
    public interface Prctl {
        /**
         * {@code int prctl(int option, ...)} with four further arguments.
         *
         * @param option the operation
         * @param arg2   second argument
         * @param arg3   third argument
         * @param arg4   fourth argument
         * @param arg5   fifth argument
         * @return 0 on success, -1 with errno on failure
         */
        int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }

    private static final Prctl LIBC = LibraryLoader.create(Prctl.class).load("c");

    private SeccompRefusal() {
    }

    /** Makes {@code pkey_alloc} fail with {@code EPERM} for the calling thread from now on. */
    static void refusePkeyAllocOnThisThread() {
        refuseOnThisThread(SYS_PKEY_ALLOC);
    }

    /** Makes {@code futex_waitv} fail with {@code EPERM} for the calling thread from now on. */
    static void refuseFutexWaitvOnThisThread() {
        refuseOnThisThread(SYS_FUTEX_WAITV);
    }

    /** Makes {@code sched_setaffinity} fail with {@code EPERM} for the calling thread from now on. */
    static void refuseSchedSetaffinityOnThisThread() {
        refuseOnThisThread(SYS_SCHED_SETAFFINITY);
    }

    private static void refuseOnThisThread(int syscall) {
        Runtime runtime = jnr.ffi.Runtime.getRuntime(LIBC);
        Pointer filter = Memory.allocateDirect(runtime, 4 * 8, true);
        instruction(filter, 0, BPF_LD_W_ABS, 0, 0, 0);                      // A = seccomp_data.nr
        instruction(filter, 1, BPF_JMP_JEQ_K, 0, 1, syscall);               // refused? next : skip one
        instruction(filter, 2, BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | Errno.EPERM);
        instruction(filter, 3, BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW);
        Pointer program = Memory.allocateDirect(runtime, 16, true);
        program.putShort(0, (short) 4);
        program.putLong(8, filter.address());
        if (LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            throw new IllegalStateException("PR_SET_NO_NEW_PRIVS failed, errno " + runtime.getLastError());
        }
        if (LIBC.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, program.address(), 0, 0) != 0) {
            throw new IllegalStateException("PR_SET_SECCOMP failed, errno " + runtime.getLastError());
        }
        Reference.reachabilityFence(filter);
        Reference.reachabilityFence(program);
    }

    /** Writes {@code struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}} number {@code index}. */
    private static void instruction(Pointer filter, int index, int code, int jt, int jf, int k) {
        int at = index * 8;
        filter.putShort(at, (short) code);
        filter.putByte(at + 2, (byte) jt);
        filter.putByte(at + 3, (byte) jf);
        filter.putInt(at + 4, k);
    }
}
