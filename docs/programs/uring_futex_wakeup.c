// What an event loop's wake-up by another process costs, three ways: a byte on a Unix socket the loop waits for in
// epoll (Shunt's doorbell, and Netty Epoll's data), a futex the waiter sleeps on directly (a blocking Shunt stream),
// and a futex the waiter sleeps on through io_uring (IORING_OP_FUTEX_WAIT, Linux 6.7+), which an io_uring-based event
// loop could wait on beside its descriptors. Two processes (fork) ping-pong a sequence number through shared memory;
// the parent sleeps PACE_US before each round trip, so both sides fall asleep between messages, as with a sleeping
// peer. The waker's side is the same for both futex modes: a FUTEX_WAKE only when the waiter announced sleep.
//
// Build and run (no liburing needed): gcc -O2 -o w uring_futex_wakeup.c && ./w 2000 1000
// Prints, per mode: round-trip p50/p90/p99 and the CPU of both processes per round trip.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IORING_OP_FUTEX_WAIT
#define IORING_OP_FUTEX_WAIT 51 // Linux 6.7; older headers lack it
#endif
#define FUTEX2_SIZE_U32 0x02 // a shared (not FUTEX2_PRIVATE) 32-bit futex

enum mode { SOCKET_EPOLL, FUTEX, URING_FUTEX };
static const char *names[] = {"unix socket + epoll", "futex", "io_uring FUTEX_WAIT"};

struct line { _Atomic uint32_t seq; _Atomic uint32_t sleeping; char pad[56]; };
struct shm { struct line a2b, b2a; _Atomic uint64_t child_cpu; };

struct ring {
    int fd;
    unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
};

static enum mode M;
static struct ring R;

static uint64_t now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static void ring_open(void) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    R.fd = (int) syscall(__NR_io_uring_setup, 4, &p);
    if (R.fd < 0) { perror("io_uring_setup"); exit(2); }
    size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t len = sq_len > cq_len ? sq_len : cq_len; // IORING_FEAT_SINGLE_MMAP: one mapping for both rings
    char *sq = mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, R.fd, IORING_OFF_SQ_RING);
    R.sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
            R.fd, IORING_OFF_SQES);
    if (sq == MAP_FAILED || R.sqes == MAP_FAILED) { perror("mmap"); exit(2); }
    R.sq_tail = (unsigned *) (sq + p.sq_off.tail);
    R.sq_mask = (unsigned *) (sq + p.sq_off.ring_mask);
    R.sq_array = (unsigned *) (sq + p.sq_off.array);
    R.cq_head = (unsigned *) (sq + p.cq_off.head);
    R.cq_tail = (unsigned *) (sq + p.cq_off.tail);
    R.cq_mask = (unsigned *) (sq + p.cq_off.ring_mask);
    R.cqes = (struct io_uring_cqe *) (sq + p.cq_off.cqes);
}

// Sleeps through io_uring until *word != old (or a spurious completion); returns the completion's result.
static int ring_futex_wait(_Atomic uint32_t *word, uint32_t old) {
    unsigned tail = *R.sq_tail, index = tail & *R.sq_mask;
    struct io_uring_sqe *sqe = &R.sqes[index];
    memset(sqe, 0, sizeof *sqe);
    sqe->opcode = IORING_OP_FUTEX_WAIT;
    sqe->fd = FUTEX2_SIZE_U32;
    sqe->addr = (uint64_t) (uintptr_t) word;
    sqe->off = old;
    sqe->addr3 = FUTEX_BITSET_MATCH_ANY;
    R.sq_array[index] = index;
    __atomic_store_n(R.sq_tail, tail + 1, __ATOMIC_RELEASE);
    if (syscall(__NR_io_uring_enter, R.fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) { perror("io_uring_enter"); exit(2); }
    unsigned head = *R.cq_head;
    while (head == __atomic_load_n(R.cq_tail, __ATOMIC_ACQUIRE)) {
    }
    int res = R.cqes[head & *R.cq_mask].res;
    __atomic_store_n(R.cq_head, head + 1, __ATOMIC_RELEASE);
    return res;
}

static void wait_on(struct line *l, uint32_t old, int epfd, int fd) {
    if (M == SOCKET_EPOLL) {
        struct epoll_event ev;
        char b[64];
        epoll_wait(epfd, &ev, 1, -1);
        if (read(fd, b, sizeof b) < 0) { perror("read"); exit(2); }
        return;
    }
    while (atomic_load(&l->seq) == old) {
        atomic_store(&l->sleeping, 1);
        if (atomic_load(&l->seq) != old) {
            break;
        }
        if (M == FUTEX) {
            syscall(SYS_futex, &l->seq, FUTEX_WAIT, old, 0, 0, 0);
        } else {
            int res = ring_futex_wait(&l->seq, old);
            if (res < 0 && res != -11 /* EAGAIN: the word changed first */) {
                fprintf(stderr, "FUTEX_WAIT through io_uring: %s\n", strerror(-res));
                exit(2);
            }
        }
    }
    atomic_store(&l->sleeping, 0);
}

static void signal_to(struct line *l, uint32_t value, int fd) {
    atomic_store(&l->seq, value);
    if (M == SOCKET_EPOLL) {
        char b[32] = {0};
        if (write(fd, b, 1) < 0) { perror("write"); exit(2); }
    } else if (atomic_exchange(&l->sleeping, 0)) {
        syscall(SYS_futex, &l->seq, FUTEX_WAKE, 1, 0, 0, 0);
    }
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static void run(enum mode mode, long n, long pace_us) {
    M = mode;
    struct shm *s = mmap(0, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t child = fork();
    int mine = child == 0 ? sv[1] : sv[0];
    int epfd = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN};
    epoll_ctl(epfd, EPOLL_CTL_ADD, mine, &ev);
    if (mode == URING_FUTEX) {
        ring_open();
    }
    if (child == 0) { // the echo side
        uint64_t c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (uint32_t i = 1; i <= n; i++) {
            wait_on(&s->a2b, i - 1, epfd, mine);
            signal_to(&s->b2a, i, mine);
        }
        atomic_store(&s->child_cpu, now(CLOCK_PROCESS_CPUTIME_ID) - c0);
        _exit(0);
    }
    uint64_t *rtt = malloc(n * sizeof *rtt);
    usleep(20000);
    uint64_t c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (uint32_t i = 1; i <= n; i++) {
        struct timespec pause = {0, pace_us * 1000};
        nanosleep(&pause, 0);
        uint64_t t = now(CLOCK_MONOTONIC);
        signal_to(&s->a2b, i, mine);
        wait_on(&s->b2a, i - 1, epfd, mine);
        rtt[i - 1] = now(CLOCK_MONOTONIC) - t;
    }
    uint64_t cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    waitpid(child, 0, 0);
    qsort(rtt, n, sizeof *rtt, compare);
    printf("%-22s n=%ld pace=%ldus  RTT p50=%6.1fus p90=%6.1fus p99=%6.1fus  CPU per RTT (both)=%6.1fus\n",
            names[mode], n, pace_us, rtt[n / 2] / 1e3, rtt[n * 9 / 10] / 1e3, rtt[n * 99 / 100] / 1e3,
            (cpu + atomic_load(&s->child_cpu)) / 1e3 / n);
    if (mode == URING_FUTEX) {
        close(R.fd);
    }
    close(sv[0]);
    close(sv[1]);
    close(epfd);
    munmap(s, sizeof *s);
    free(rtt);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 2000, pace_us = argc > 2 ? atol(argv[2]) : 1000;
    for (int round = 0; round < 2; round++) {
        run(SOCKET_EPOLL, n, pace_us);
        run(FUTEX, n, pace_us);
        run(URING_FUTEX, n, pace_us);
    }
    return 0;
}
