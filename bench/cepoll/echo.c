/* Minimal single-loop epoll echo server: the physical reference for bench/.
 * Level-triggered, one 64 KiB read buffer for the whole loop, write-first:
 * bytes are written back straight from the read buffer; only what the kernel
 * did not take is copied into a small per-connection pending buffer, and the
 * connection stops reading (EPOLLOUT only) until it is flushed.
 * Usage: echo -addr 127.0.0.1:PORT [-loops N (ignored: always one loop)] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXFD 65536
typedef struct { char *buf; int len, off; } pend_t;
static pend_t pend[MAXFD];
static char rbuf[65536];
static int ep;

static void ctl(int op, int fd, unsigned ev) {
    struct epoll_event e = {.events = ev, .data.fd = fd};
    epoll_ctl(ep, op, fd, &e);
}
static void drop(int fd) {
    free(pend[fd].buf); pend[fd].buf = NULL; pend[fd].len = pend[fd].off = 0;
    close(fd); /* close removes it from the epoll set */
}
int main(int argc, char **argv) {
    const char *addr = "127.0.0.1:7000";
    for (int i = 1; i + 1 < argc; i++) if (!strcmp(argv[i], "-addr")) addr = argv[++i];
    char host[64]; const char *colon = strrchr(addr, ':');
    if (!colon || colon - addr >= (int)sizeof host) { fprintf(stderr, "bad -addr\n"); return 2; }
    memcpy(host, addr, colon - addr); host[colon - addr] = 0;
    struct rlimit rl; getrlimit(RLIMIT_NOFILE, &rl); rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl);
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) || listen(ls, 4096)) { perror("listen"); return 1; }
    ep = epoll_create1(EPOLL_CLOEXEC);
    ctl(EPOLL_CTL_ADD, ls, EPOLLIN);
    printf("cepoll echo listening on %s\n", addr); fflush(stdout);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0) { if (errno == EINTR) continue; perror("epoll_wait"); return 1; }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                for (;;) {
                    int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0) break;
                    if (c >= MAXFD) { close(c); continue; }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    ctl(EPOLL_CTL_ADD, c, EPOLLIN | EPOLLRDHUP);
                }
                continue;
            }
            pend_t *p = &pend[fd];
            if (p->len > p->off) { /* flush pending bytes first */
                ssize_t w = write(fd, p->buf + p->off, p->len - p->off);
                if (w < 0 && errno != EAGAIN) { drop(fd); continue; }
                if (w > 0) p->off += w;
                if (p->off < p->len) continue;
                p->len = p->off = 0;
                ctl(EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLRDHUP); /* back to reading */
                continue;
            }
            ssize_t r = read(fd, rbuf, sizeof rbuf);
            if (r == 0 || (r < 0 && errno != EAGAIN)) { drop(fd); continue; }
            if (r < 0) continue;
            ssize_t w = write(fd, rbuf, r);
            if (w < 0) { if (errno != EAGAIN) { drop(fd); continue; } w = 0; }
            if (w < r) { /* keep the rest, stop reading until it is written */
                p->buf = realloc(p->buf, r - w);
                memcpy(p->buf, rbuf + w, r - w); p->len = r - w; p->off = 0;
                ctl(EPOLL_CTL_MOD, fd, EPOLLOUT);
            }
        }
    }
}
