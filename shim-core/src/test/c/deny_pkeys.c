/*
 * deny_pkeys: runs a program under a seccomp filter that refuses pkey_alloc
 * with EPERM, the way Docker's default seccomp profile does.
 *
 * Usage: deny_pkeys <program> [args...]
 *
 * Sets PR_SET_NO_NEW_PRIVS, installs a classic-BPF seccomp filter with
 * prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) and then execvp()s the
 * program.  Seccomp filters survive execve and are inherited by every thread
 * and child, so e.g. a JVM started through this launcher cannot allocate
 * memory protection keys at all.
 *
 * The filter:
 *   - arch == AUDIT_ARCH_X86_64:
 *       pkey_alloc (330), and its x32-ABI alias (0x40000000 | 330)
 *                              -> SECCOMP_RET_ERRNO | EPERM
 *       anything else          -> SECCOMP_RET_ALLOW
 *   - arch == AUDIT_ARCH_I386 (int 0x80 compat entry):
 *       pkey_alloc (381)       -> SECCOMP_RET_ERRNO | EPERM
 *       anything else          -> SECCOMP_RET_ALLOW
 *   - any other arch           -> SECCOMP_RET_KILL_PROCESS
 *
 * Exit status: 127 if the program cannot be executed, 126 if the filter
 * cannot be installed, 2 for usage errors; otherwise the program's own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if !defined(__x86_64__)
#error "deny_pkeys only supports x86-64"
#endif

/* Fallbacks in case of old kernel headers. */
#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif
#ifndef SECCOMP_MODE_FILTER
#define SECCOMP_MODE_FILTER 2
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_ERRNO
#define SECCOMP_RET_ERRNO 0x00050000U
#endif
#ifndef SECCOMP_RET_ALLOW
#define SECCOMP_RET_ALLOW 0x7fff0000U
#endif
#ifndef SECCOMP_RET_DATA
#define SECCOMP_RET_DATA 0x0000ffffU
#endif
#ifndef AUDIT_ARCH_X86_64
#define AUDIT_ARCH_X86_64 0xc000003eU
#endif
#ifndef AUDIT_ARCH_I386
#define AUDIT_ARCH_I386 0x40000003U
#endif

#define X86_64_NR_PKEY_ALLOC 330U
#define X32_SYSCALL_BIT      0x40000000U
#define I386_NR_PKEY_ALLOC   381U

#define DENY_EPERM (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: deny_pkeys <program> [args...]\n");
        return 2;
    }

    struct sock_filter filter[] = {
        /* [0] A = arch */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        /* [1] x86-64? -> [4], else [2] */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 2, 0),
        /* [2] i386? -> [9], else [3] */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 6, 0),
        /* [3] unknown arch */
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),

        /* [4] x86-64: A = syscall nr */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* [5] pkey_alloc -> [8] */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, X86_64_NR_PKEY_ALLOC, 2, 0),
        /* [6] x32 pkey_alloc -> [8] */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                 X32_SYSCALL_BIT | X86_64_NR_PKEY_ALLOC, 1, 0),
        /* [7] */
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* [8] */
        BPF_STMT(BPF_RET | BPF_K, DENY_EPERM),

        /* [9] i386: A = syscall nr */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* [10] pkey_alloc -> [12] */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, I386_NR_PKEY_ALLOC, 1, 0),
        /* [11] */
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* [12] */
        BPF_STMT(BPF_RET | BPF_K, DENY_EPERM),
    };
    struct sock_fprog prog = {
        .len = (unsigned short)(sizeof(filter) / sizeof(filter[0])),
        .filter = filter,
    };

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "deny_pkeys: prctl(PR_SET_NO_NEW_PRIVS): %s\n",
                strerror(errno));
        return 126;
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
        fprintf(stderr, "deny_pkeys: prctl(PR_SET_SECCOMP): %s\n",
                strerror(errno));
        return 126;
    }

    execvp(argv[1], &argv[1]);
    fprintf(stderr, "deny_pkeys: cannot execute %s: %s\n", argv[1],
            strerror(errno));
    return 127;
}
