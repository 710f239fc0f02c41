/*
 * plain_peer: an ordinary Unix-domain stream socket peer that knows nothing
 * about Shunt.  Used by the Shunt tests to check that a Shunt endpoint falls
 * back, byte for byte, to the plain socket when its peer is not Shunt-aware.
 *
 * Usage:
 *   plain_peer serve <socket-path> <greeting|->
 *       Unlinks <socket-path>, binds and listens on it, prints "READY\n" on
 *       stdout, accepts exactly one connection.  Unless greeting is "-", it
 *       first writes the greeting bytes exactly (no newline is added), then
 *       echoes every byte it reads back to the client until EOF, then closes
 *       the connection, removes the socket file and exits 0.
 *
 *   plain_peer connect <socket-path> <expect-greeting-length> <message>
 *       Connects.  If expect-greeting-length > 0, reads exactly that many
 *       bytes and writes them to stdout followed by "\n".  Then writes
 *       <message>, shuts down its write side, reads the echo until EOF and
 *       writes exactly the bytes read to stdout.  Exits 0.
 *       Writing the message and reading the echo are interleaved with poll(),
 *       so messages larger than the socket buffers cannot deadlock against an
 *       echoing server.
 *
 * Errors are reported on stderr with a non-zero exit status (2 for usage
 * errors, 1 for everything else).  Short reads/writes and EINTR are handled;
 * SIGPIPE is ignored so a vanished peer shows up as EPIPE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF_SIZE 65536

static const char *prog = "plain_peer";

static void die(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
    exit(1);
}

static void die_msg(const char *what)
{
    fprintf(stderr, "%s: %s\n", prog, what);
    exit(1);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: %s serve <socket-path> <greeting|->\n"
            "       %s connect <socket-path> <expect-greeting-length> <message>\n",
            prog, prog);
    exit(2);
}

/* Writes all len bytes; returns 0 on success, -1 (errno set) on failure. */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* read() retrying on EINTR. */
static ssize_t read_retry(int fd, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        return n;
    }
}

/* Reads exactly len bytes; returns 0 on success, -1 on error, 1 on early EOF. */
static int read_exact(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read_retry(fd, p, len);
        if (n < 0)
            return -1;
        if (n == 0)
            return 1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void make_addr(const char *path, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        fprintf(stderr, "%s: socket path too long (%zu bytes, max %zu): %s\n",
                prog, strlen(path), sizeof(addr->sun_path) - 1, path);
        exit(1);
    }
    strcpy(addr->sun_path, path);
}

static int serve(const char *path, const char *greeting)
{
    struct sockaddr_un addr;
    make_addr(path, &addr);

    if (unlink(path) < 0 && errno != ENOENT)
        die("unlink");

    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket");
    if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        die("bind");
    if (listen(lfd, 1) < 0)
        die("listen");

    if (write_all(STDOUT_FILENO, "READY\n", 6) < 0)
        die("write READY");

    int cfd;
    for (;;) {
        cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd >= 0)
            break;
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        die("accept");
    }

    if (strcmp(greeting, "-") != 0) {
        if (write_all(cfd, greeting, strlen(greeting)) < 0)
            die("write greeting");
    }

    static char buf[BUF_SIZE];
    for (;;) {
        ssize_t n = read_retry(cfd, buf, sizeof(buf));
        if (n < 0)
            die("read");
        if (n == 0)
            break;
        if (write_all(cfd, buf, (size_t)n) < 0)
            die("write echo");
    }

    if (close(cfd) < 0)
        die("close connection");
    close(lfd);
    unlink(path);
    return 0;
}

static int connect_peer(const char *path, const char *greeting_len_arg,
                        const char *message)
{
    char *end;
    errno = 0;
    long greeting_len = strtol(greeting_len_arg, &end, 10);
    if (errno != 0 || *end != '\0' || end == greeting_len_arg ||
        greeting_len < 0 || greeting_len > INT_MAX) {
        fprintf(stderr, "%s: bad expect-greeting-length: %s\n", prog,
                greeting_len_arg);
        exit(2);
    }

    struct sockaddr_un addr;
    make_addr(path, &addr);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    for (;;) {
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            break;
        if (errno == EINTR) {
            /* A Unix-socket connect interrupted by a signal may still
             * complete; retrying could yield EISCONN, which means success. */
            continue;
        }
        if (errno == EISCONN)
            break;
        die("connect");
    }

    if (greeting_len > 0) {
        char *greeting = malloc((size_t)greeting_len + 1);
        if (greeting == NULL)
            die("malloc");
        int r = read_exact(fd, greeting, (size_t)greeting_len);
        if (r < 0)
            die("read greeting");
        if (r > 0)
            die_msg("read greeting: unexpected EOF");
        greeting[greeting_len] = '\n';
        if (write_all(STDOUT_FILENO, greeting, (size_t)greeting_len + 1) < 0)
            die("write stdout");
        free(greeting);
    }

    /* Write the message and read the echo concurrently. */
    const char *out = message;
    size_t out_left = strlen(message);
    int write_open = 1;
    static char buf[BUF_SIZE];

    if (out_left == 0) {
        if (shutdown(fd, SHUT_WR) < 0)
            die("shutdown");
        write_open = 0;
    }

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (write_open)
            pfd.events |= POLLOUT;
        int pr = poll(&pfd, 1, -1);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            die("poll");
        }
        if (write_open && (pfd.revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = send(fd, out, out_left, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0) {
                if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
                    die("write message");
            } else {
                out += n;
                out_left -= (size_t)n;
                if (out_left == 0) {
                    if (shutdown(fd, SHUT_WR) < 0)
                        die("shutdown");
                    write_open = 0;
                }
            }
        }
        if (pfd.revents & (POLLIN | POLLERR | POLLHUP)) {
            ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
            if (n < 0) {
                if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
                    die("read echo");
            } else if (n == 0) {
                if (write_open)
                    die_msg("peer closed the connection before the whole "
                            "message was written");
                break;
            } else if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
                die("write stdout");
            }
        }
    }

    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2)
        usage();
    if (strcmp(argv[1], "serve") == 0 && argc == 4)
        return serve(argv[2], argv[3]);
    if (strcmp(argv[1], "connect") == 0 && argc == 5)
        return connect_peer(argv[2], argv[3], argv[4]);
    usage();
    return 2;
}
