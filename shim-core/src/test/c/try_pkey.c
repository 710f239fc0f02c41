/*
 * try_pkey: asks the kernel for a memory protection key and reports the
 * outcome as a single line on stdout:
 *
 *     pkey_alloc=<result> errno=<errno>
 *
 * <errno> is 0 on success.  Always exits 0 (the outcome is in the output).
 * The syscall is issued directly so no libc fallback can hide the kernel's
 * (or a seccomp filter's) answer.  A successfully allocated key is freed.
 *
 * Used with deny_pkeys: "deny_pkeys try_pkey" must print errno=1 (EPERM);
 * "try_pkey" alone succeeds on a machine whose CPU and kernel support PKU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pkey_alloc
#  if defined(__x86_64__)
#    define SYS_pkey_alloc 330
#  else
#    error "SYS_pkey_alloc is unknown for this architecture"
#  endif
#endif
#ifndef SYS_pkey_free
#  if defined(__x86_64__)
#    define SYS_pkey_free 331
#  else
#    error "SYS_pkey_free is unknown for this architecture"
#  endif
#endif

int main(void)
{
    errno = 0;
    long key = syscall(SYS_pkey_alloc, 0UL, 0UL);
    int err = key < 0 ? errno : 0;
    printf("pkey_alloc=%ld errno=%d\n", key, err);
    fflush(stdout);
    if (key >= 0)
        syscall(SYS_pkey_free, (unsigned long)key);
    return 0;
}
