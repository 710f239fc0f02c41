/* What a short timed sleep costs on this guest (docs/architecture.md, "Wait policy": why a waiter does not sleep
 * through the first part of an expected wait and spin only near its end). One thread sleeps N times on a futex that
 * nobody wakes, for SLEEP_NS each, with its timer slack set to SLACK_NS (0: the default, 50 us); prints how long the
 * sleeps took (p10/p50/p90/p99) and the process CPU per sleep. On a guest whose idle vCPU halts at once, a sleep
 * costs the vCPU's way out of the halt, in time and in CPU charged to the thread.
 * gcc -O2 -o timed_sleep_cost timed_sleep_cost.c && ./timed_sleep_cost 1 20000 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SLEEPS 20000

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long x = *(const long *) a, y = *(const long *) b;
    return x < y ? -1 : x > y;
}

static double cpu_us(const struct rusage *r) {
    return (r->ru_utime.tv_sec + r->ru_stime.tv_sec) * 1e6 + r->ru_utime.tv_usec + r->ru_stime.tv_usec;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SLACK_NS SLEEP_NS\n", argv[0]);
        return 2;
    }
    long slack = atol(argv[1]), sleep_ns = atol(argv[2]);
    if (slack > 0 && prctl(PR_SET_TIMERSLACK, slack, 0, 0, 0) != 0) {
        perror("prctl");
        return 1;
    }
    static long took[SLEEPS];
    int word = 1;
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    for (int i = 0; i < SLEEPS; i++) {
        struct timespec timeout = {0, sleep_ns};
        long start = now_ns();
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &timeout, NULL, 0);
        took[i] = now_ns() - start;
    }
    getrusage(RUSAGE_SELF, &after);
    qsort(took, SLEEPS, sizeof(long), by_value);
    printf("slack %ld ns, sleep %ld ns: took p10 %.1f p50 %.1f p90 %.1f p99 %.1f us; CPU %.2f us per sleep\n", slack,
           sleep_ns, took[SLEEPS / 10] / 1e3, took[SLEEPS / 2] / 1e3, took[SLEEPS * 9 / 10] / 1e3,
           took[SLEEPS * 99 / 100] / 1e3, (cpu_us(&after) - cpu_us(&before)) / SLEEPS);
    return 0;
}
