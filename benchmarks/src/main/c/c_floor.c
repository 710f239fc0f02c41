// c_floor: the physical floor of a round trip between two processes on this machine, for shunt-bench's
// c-floor transport (CFloor.java builds and runs it, docs/benchmarks.md describes the method).
//
//   c_floor SIZE WARMUP_NS MEASURE_NS
//
// A client process and its forked echo process ping-pong a SIZE-byte message through shared memory and
// wait by spinning only: no system call, no sleep, nothing but cache lines moving between cores. Each
// direction has one cache line holding a sequence word and, up to INLINE_BYTES, the message itself (a 32-byte
// message is one cache line each way); a larger message has a buffer of its own. The writer copies the
// message in, then publishes the sequence (release); the reader spins until it sees it (acquire), then copies
// the message out. The echo side copies each request into a private buffer and from there into the reply, as
// an echo server reading and writing a socket does: four copies per round trip, as on Shunt's rings.
//
// The client runs back-to-back round trips for WARMUP_NS, then for MEASURE_NS, timing each from just before
// its send to just after its reply (CLOCK_MONOTONIC, as System.nanoTime). Report on stdout, "key value" lines:
//   round_trips, wall_ns              round trips and elapsed time of the measured phase
//   cpu_client_ns, cpu_server_ns      CLOCK_PROCESS_CPUTIME_ID of each process over the measured phase
//   bucket VALUE_NS COUNT             one line per non-empty latency bucket: values below 2048 ns exactly,
//                                     larger ones to 11 significant bits (HdrHistogram's 3 significant digits)
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// Lines sit 128 bytes apart: the adjacent-line prefetcher pulls cache lines in pairs, which would otherwise
// drag the other direction's line along.
#define LINE 128
#define INLINE_BYTES 48
#define MAX_SIZE (4 << 20)
#define HIGHEST_NS 60000000000ULL
#define SUB_BUCKET_BITS 11
#define BUCKETS ((36 - SUB_BUCKET_BITS + 2) << (SUB_BUCKET_BITS - 1))

enum phase { WARMUP, MEASURE, STOP };

// One direction's cache line. The phase travels with each message, so the echo side knows when to read its
// CPU clock without a second line to watch.
struct line {
    _Alignas(LINE) _Atomic uint64_t seq;
    uint32_t phase;
    unsigned char bytes[INLINE_BYTES];
};

struct shared {
    struct line request;
    struct line reply;
    _Alignas(LINE) uint64_t cpu_server_ns; // written by the echo side before it answers STOP
};

static uint64_t histogram[BUCKETS];

static uint64_t clock_ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (uint64_t) t.tv_sec * 1000000000ULL + (uint64_t) t.tv_nsec;
}

static inline void spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause(); // what Thread.onSpinWait() emits
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void publish(struct line *l, unsigned char *payload, const unsigned char *msg, size_t size,
        uint64_t seq, enum phase phase) {
    memcpy(payload, msg, size);
    l->phase = phase;
    atomic_store_explicit(&l->seq, seq, memory_order_release);
}

static void await_seq(struct line *l, uint64_t seq) {
    while (atomic_load_explicit(&l->seq, memory_order_acquire) != seq) {
        spin_pause();
    }
}

// Bucket index: values below 2^SUB_BUCKET_BITS as they are, larger ones shifted down to that many bits.
static void record(uint64_t ns) {
    if (ns > HIGHEST_NS) {
        ns = HIGHEST_NS;
    }
    int bits = ns == 0 ? 0 : 64 - __builtin_clzll(ns);
    int shift = bits > SUB_BUCKET_BITS ? bits - SUB_BUCKET_BITS : 0;
    histogram[((size_t) shift << (SUB_BUCKET_BITS - 1)) + (ns >> shift)]++;
}

static uint64_t bucket_value(size_t index) {
    if (index < (1u << SUB_BUCKET_BITS)) {
        return index;
    }
    int shift = (int) (index >> (SUB_BUCKET_BITS - 1)) - 1;
    return (uint64_t) (index - ((size_t) shift << (SUB_BUCKET_BITS - 1))) << shift;
}

static _Noreturn void echo(struct shared *s, unsigned char *in, unsigned char *out, size_t size) {
    unsigned char *copy = malloc(size);
    uint64_t cpu_start = 0;
    int measuring = 0;
    for (uint64_t seq = 1;; seq++) {
        await_seq(&s->request, seq);
        enum phase phase = s->request.phase;
        memcpy(copy, in, size);
        __asm__ __volatile__("" : : "r"(copy) : "memory"); // keeps both copies: the private buffer is "read"
        if (phase == MEASURE && !measuring) {
            measuring = 1;
            cpu_start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        } else if (phase == STOP) {
            s->cpu_server_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
        }
        publish(&s->reply, out, copy, size, seq, phase);
        if (phase == STOP) {
            _exit(0);
        }
    }
}

static long long argument(const char *text, const char *name, long long min, long long max) {
    char *end;
    long long v = strtoll(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "c_floor: %s must be a whole number from %lld to %lld; got '%s'\n", name, min, max, text);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: c_floor SIZE WARMUP_NS MEASURE_NS\n");
        return 2;
    }
    size_t size = (size_t) argument(argv[1], "SIZE", 1, MAX_SIZE);
    uint64_t warmup_ns = (uint64_t) argument(argv[2], "WARMUP_NS", 0, 600000000000LL);
    uint64_t measure_ns = (uint64_t) argument(argv[3], "MEASURE_NS", 1, 600000000000LL);

    size_t buffer = size <= INLINE_BYTES ? 0 : (size + LINE - 1) / LINE * LINE;
    struct shared *s = mmap(NULL, sizeof(struct shared) + 2 * buffer, PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    unsigned char *msg = calloc(1, size);
    if (s == MAP_FAILED || msg == NULL) {
        perror("c_floor: memory");
        return 1;
    }
    unsigned char *request = buffer == 0 ? s->request.bytes : (unsigned char *) (s + 1);
    unsigned char *reply = buffer == 0 ? s->reply.bytes : (unsigned char *) (s + 1) + buffer;

    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        perror("c_floor: fork");
        return 1;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); // never spin on after the client is gone
        if (getppid() != parent) {
            _exit(1);
        }
        echo(s, request, reply, size);
    }

    uint64_t seq = 0;
    uint64_t count = 0;
    uint64_t end = clock_ns(CLOCK_MONOTONIC) + warmup_ns;
    enum phase phase = WARMUP;
    uint64_t wall_start = 0;
    uint64_t cpu_start = 0;
    for (;;) {
        uint64_t start = clock_ns(CLOCK_MONOTONIC);
        if (start >= end) {
            if (phase == MEASURE) {
                break;
            }
            phase = MEASURE;
            cpu_start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
            start = wall_start = clock_ns(CLOCK_MONOTONIC);
            end = wall_start + measure_ns;
        }
        publish(&s->request, request, msg, size, ++seq, phase);
        await_seq(&s->reply, seq);
        memcpy(msg, reply, size);
        if (phase == MEASURE) {
            record(clock_ns(CLOCK_MONOTONIC) - start);
            count++;
        }
    }
    uint64_t wall_ns = clock_ns(CLOCK_MONOTONIC) - wall_start;
    uint64_t cpu_client_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    publish(&s->request, request, msg, size, ++seq, STOP);
    await_seq(&s->reply, seq);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "c_floor: the echo process did not finish cleanly\n");
        return 1;
    }

    printf("round_trips %" PRIu64 "\nwall_ns %" PRIu64 "\ncpu_client_ns %" PRIu64 "\ncpu_server_ns %" PRIu64 "\n",
            count, wall_ns, cpu_client_ns, s->cpu_server_ns);
    for (size_t i = 0; i < BUCKETS; i++) {
        if (histogram[i] != 0) {
            printf("bucket %" PRIu64 " %" PRIu64 "\n", bucket_value(i), histogram[i]);
        }
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
