/* A round-robin TCP proxy on loopback (pg_proxy.h): one thread accepts, one thread per
 * connection copies both ways with poll, checking every 100 ms whether to stop. */
#define _GNU_SOURCE /* accept4 */
#include "pg_proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct pg_proxy {
    int listen_fd;
    pthread_t acceptor;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint16_t ports[PG_PROXY_BACKENDS]; /* under mu */
    unsigned next;                     /* under mu */
    int stopping;                      /* under mu */
    int active;                        /* connection threads running, under mu */
    uint64_t handed;                   /* under mu */
};

typedef struct pipe_pair {
    pg_proxy *p;
    int a, b;
} pipe_pair;

static int stopping(pg_proxy *p)
{
    pthread_mutex_lock(&p->mu);
    int s = p->stopping;
    pthread_mutex_unlock(&p->mu);
    return s;
}

static int connect_port(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Copy what is readable on from to to; 0 when from closed or failed. */
static int copy_once(int from, int to)
{
    char buf[16384];
    ssize_t n = read(from, buf, sizeof buf);
    if (n <= 0)
        return 0;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = send(to, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        off += w;
    }
    return 1;
}

static void *pipe_thread(void *arg)
{
    pipe_pair *pp = arg;
    struct pollfd fds[2] = {{pp->a, POLLIN, 0}, {pp->b, POLLIN, 0}};
    while (!stopping(pp->p)) {
        int r = poll(fds, 2, 100);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_once(pp->a, pp->b))
            break;
        if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_once(pp->b, pp->a))
            break;
    }
    close(pp->a);
    close(pp->b);
    pg_proxy *p = pp->p;
    free(pp);
    pthread_mutex_lock(&p->mu);
    p->active--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The next backend that takes the connection, round robin; -1 when none does. */
static int connect_backend(pg_proxy *p)
{
    for (int tries = 0; tries < PG_PROXY_BACKENDS; tries++) {
        pthread_mutex_lock(&p->mu);
        uint16_t port = p->ports[p->next % PG_PROXY_BACKENDS];
        p->next++;
        pthread_mutex_unlock(&p->mu);
        if (!port)
            continue;
        int fd = connect_port(port);
        if (fd >= 0)
            return fd;
    }
    return -1;
}

static void *accept_thread(void *arg)
{
    pg_proxy *p = arg;
    struct pollfd pfd = {p->listen_fd, POLLIN, 0};
    while (!stopping(p)) {
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int c = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        int b = connect_backend(p);
        pipe_pair *pp = b >= 0 ? malloc(sizeof *pp) : NULL;
        if (!pp) {
            if (b >= 0)
                close(b);
            close(c); /* no backend up: the client sees the connection close */
            continue;
        }
        *pp = (pipe_pair){p, c, b};
        pthread_t th;
        pthread_mutex_lock(&p->mu);
        p->active++;
        p->handed++;
        pthread_mutex_unlock(&p->mu);
        if (pthread_create(&th, NULL, pipe_thread, pp) != 0) {
            close(c);
            close(b);
            free(pp);
            pthread_mutex_lock(&p->mu);
            p->active--;
            pthread_mutex_unlock(&p->mu);
            continue;
        }
        pthread_detach(th);
    }
    return NULL;
}

int pg_proxy_start(pg_proxy **out, uint16_t *port)
{
    *out = NULL;
    pg_proxy *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(p->listen_fd, 256) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&sa, &len) != 0) {
        if (p->listen_fd >= 0)
            close(p->listen_fd);
        free(p);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->acceptor, NULL, accept_thread, p) != 0) {
        close(p->listen_fd);
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        free(p);
        return -1;
    }
    *out = p;
    return 0;
}

void pg_proxy_set_backend(pg_proxy *p, int i, uint16_t port)
{
    if (i < 0 || i >= PG_PROXY_BACKENDS)
        return;
    pthread_mutex_lock(&p->mu);
    p->ports[i] = port;
    pthread_mutex_unlock(&p->mu);
}

uint64_t pg_proxy_connections(pg_proxy *p)
{
    pthread_mutex_lock(&p->mu);
    uint64_t n = p->handed;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void pg_proxy_stop(pg_proxy *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->acceptor, NULL);
    close(p->listen_fd);
    pthread_mutex_lock(&p->mu);
    while (p->active > 0)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
