/* Why Shunt's event-loop doorbell is a byte on the socket and not an eventfd (docs/architecture.md, "What bounds
 * an event loop's wake-up"): a peer that holds the same open file description can make the waker's write block.
 * gcc -O2 -o eventfd_doorbell eventfd_doorbell.c && ./eventfd_doorbell */
#define _GNU_SOURCE
#include <sys/eventfd.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <signal.h>
static void on_alarm(int s) { (void)s; }
int main(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int peer = dup(fd); /* the same open file description, as SCM_RIGHTS gives the peer */
    uint64_t one = 1, max = 0xfffffffffffffffeULL;
    struct iovec iov = { &one, 8 };
    ssize_t r = pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
    printf("pwritev2(RWF_NOWAIT) on eventfd: %zd errno=%s\n", r, r < 0 ? strerror(errno) : "-");
    uint64_t v; struct iovec riov = { &v, 8 };
    r = preadv2(fd, &riov, 1, -1, RWF_NOWAIT);
    printf("preadv2(RWF_NOWAIT) on eventfd: %zd errno=%s\n", r, r < 0 ? strerror(errno) : "-");
    /* edge-triggered: does every write report again without a read? */
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 1 }, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    int n1 = epoll_wait(ep, &out, 1, 0);
    write(peer, &one, 8);
    int n2 = epoll_wait(ep, &out, 1, 0);
    int n3 = epoll_wait(ep, &out, 1, 0);
    write(peer, &one, 8);
    int n4 = epoll_wait(ep, &out, 1, 0);
    printf("ET without reads: events %d (initial) %d (after write) %d (again) %d (after 2nd write)\n", n1, n2, n3, n4);
    /* the peer fills the counter and clears O_NONBLOCK on the shared description */
    r = write(peer, &max, 8);
    printf("peer writes max-1: %zd errno=%s (counter now near max)\n", r, r < 0 ? strerror(errno) : "-");
    read(fd, &v, 8); write(peer, &max, 8);
    fcntl(peer, F_SETFL, fcntl(peer, F_GETFL) & ~O_NONBLOCK);
    printf("our fd's flags after the peer's F_SETFL: O_NONBLOCK=%d\n", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = on_alarm; sigaction(SIGALRM, &sa, 0);
    alarm(1);
    r = write(fd, &one, 8);
    printf("our doorbell write after that: %zd errno=%s (EINTR = it blocked until the 1 s alarm)\n", r,
           r < 0 ? strerror(errno) : "-");
    r = pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
    printf("pwritev2(RWF_NOWAIT) then: %zd errno=%s\n", r, r < 0 ? strerror(errno) : "-");
    return 0;
}
