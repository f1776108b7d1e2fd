/* server: nk echo --listen: one poll loop that echoes for many clients,
 * each with a bounded backlog (a client that does not read stops being
 * read), until SIGINT or SIGTERM. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "nk/nk.h"
#include "server.h"
#include "tool.h"

#define SERVER_BUF (64 * 1024)   /* each client's echo backlog, at most */

struct client {
	int fd;
	char peer[64];
	int port;
	char *buf;
	size_t off, len;       /* the backlog is buf[off, off + len) */
	int rd_eof;            /* the client sent FIN */
	uint64_t bytes;
};

static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

/* The printable address and the port of a socket address. */
static void
addr_port(const struct sockaddr_storage *ss, char *buf, size_t len, int *port)
{
	snprintf(buf, len, "?");
	*port = -1;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len);
		*port = ntohs(s6->sin6_port);
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)len);
		*port = ntohs(s4->sin_port);
	}
}

/* "127.0.0.1:7" or "[::1]:7" for a bound socket. */
static void
sock_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char a[64];
	int port;
	memset(&ss, 0, sizeof ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	addr_port(&ss, a, sizeof a, &port);
	snprintf(buf, len, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", a,
	         port);
}

static void
client_close(struct client *c, int verbose, size_t nclients)
{
	if (verbose)
		tool_msg("%s port %d closed after %llu bytes (%zu connected)",
		         c->peer, c->port, (unsigned long long)c->bytes,
		         nclients - 1);
	close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
}

/* Moves bytes between the client and its backlog as far as the socket
 * allows. Returns 0 to keep the client, -1 to drop it. */
static int
client_io(struct client *c, short revents)
{
	if (revents & POLLERR)
		return -1;
	if ((revents & (POLLIN | POLLHUP)) && !c->rd_eof &&
	    c->off + c->len < SERVER_BUF) {
		ssize_t r = recv(c->fd, c->buf + c->off + c->len,
		                 SERVER_BUF - c->off - c->len, 0);
		if (r > 0) {
			c->len += (size_t)r;
			c->bytes += (uint64_t)r;
		} else if (r == 0) {
			c->rd_eof = 1;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
		           errno != EINTR) {
			return -1;
		}
	}
	if (c->len > 0) {
		ssize_t w = send(c->fd, c->buf + c->off, c->len, MSG_NOSIGNAL);
		if (w > 0) {
			c->off += (size_t)w;
			c->len -= (size_t)w;
		} else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		           errno != EINTR) {
			return -1;
		}
	}
	if (c->len == 0)
		c->off = 0;
	else if (c->off + c->len == SERVER_BUF && c->off > 0) {
		/* Make room at the end rather than stop reading early. */
		memmove(c->buf, c->buf + c->off, c->len);
		c->off = 0;
	}
	if (c->rd_eof && c->len == 0) {
		/* Half-close: everything the client sent has been echoed. */
		shutdown(c->fd, SHUT_WR);
		return -1;
	}
	return 0;
}

/* Parses "[ADDR:]PORT": ADDR may be [v6], a name, or empty. */
static int
parse_listen(const char *s, char *host, size_t hlen, long *port)
{
	const char *colon = strrchr(s, ':');
	const char *p = s;
	host[0] = '\0';
	if (colon) {
		size_t n = (size_t)(colon - s);
		if (s[0] == '[') {
			if (n < 2 || s[n - 1] != ']') {
				tool_msg("--listen: bad address in '%s'", s);
				return -1;
			}
		} else if (memchr(s, ':', n)) {
			tool_msg("--listen: put an IPv6 address in brackets: [::1]:PORT");
			return -1;
		}
		if (n >= hlen) {
			tool_msg("--listen: address too long");
			return -1;
		}
		memcpy(host, s, n);
		host[n] = '\0';
		p = colon + 1;
	}
	return tool_parse_long(p, 0, 65535, "--listen port", port);
}

/* What the server holds: its listening sockets, its clients, and the
 * poll set over both (listeners first, while accepting). */
struct server {
	const int *lfd;         /* the listening sockets, nl of them */
	size_t nl;
	struct client *cl;      /* max of them, nc in use */
	struct pollfd *pf;      /* room for nl + max */
	size_t nc, max;
	int verbose;
	nk_time accept_pause;   /* no accept before, after EMFILE and the like */
};

/* SIGINT and SIGTERM stop the server. They are blocked except inside
 * ppoll (waitmask), so a stop request can never slip in between the check
 * and the wait. */
static void
catch_stop(sigset_t *waitmask)
{
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Fills the poll set: the listeners while accepting, then each client for
 * what its backlog allows. Returns how many entries; *first is where the
 * clients start. */
static size_t
poll_set(struct server *sv, int accepting, size_t *first)
{
	size_t np = 0;
	if (accepting)
		for (size_t i = 0; i < sv->nl; i++)
			sv->pf[np++] = (struct pollfd){ sv->lfd[i], POLLIN, 0 };
	*first = np;
	for (size_t i = 0; i < sv->nc; i++) {
		const struct client *c = &sv->cl[i];
		short ev = 0;
		if (!c->rd_eof && c->off + c->len < SERVER_BUF)
			ev |= POLLIN;
		if (c->len > 0)
			ev |= POLLOUT;
		sv->pf[np++] = (struct pollfd){ c->fd, ev, 0 };
	}
	return np;
}

/* Echoes for every client the poll found ready, then drops the finished
 * ones. */
static void
serve_clients(struct server *sv, size_t first)
{
	for (size_t i = 0; i < sv->nc; i++) {
		const struct pollfd *p = &sv->pf[first + i];
		if (!p->revents)
			continue;
		if (client_io(&sv->cl[i], p->revents) != 0)
			client_close(&sv->cl[i], sv->verbose, sv->nc);
	}
	/* Compact the table after the pass, so pf and cl stay aligned
	 * while the events are handled. */
	size_t k = 0;
	for (size_t i = 0; i < sv->nc; i++)
		if (sv->cl[i].fd >= 0)
			sv->cl[k++] = sv->cl[i];
	sv->nc = k;
}

/* Takes the connections waiting on lfd, while there is room. Out of
 * descriptors or memory, accepting pauses a moment (accept_pause). */
static void
accept_clients(struct server *sv, int lfd)
{
	while (sv->nc < sv->max) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		memset(&ss, 0, sizeof ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		                 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				if (sv->verbose)
					tool_msg("accept: %s", strerror(errno));
				sv->accept_pause = nk_now() + 100000;
			}
			return;
		}
		struct client *c = &sv->cl[sv->nc];
		memset(c, 0, sizeof *c);
		c->fd = fd;
		c->buf = malloc(SERVER_BUF);
		if (!c->buf) {
			close(fd);
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		addr_port(&ss, c->peer, sizeof c->peer, &c->port);
		sv->nc++;
		if (sv->verbose)
			tool_msg("connection from %s port %d (%zu connected)",
			         c->peer, c->port, sv->nc);
	}
}

/* The loop, until SIGINT or SIGTERM (or poll fails). */
static void
server_loop(struct server *sv, const sigset_t *waitmask)
{
	while (!stop_signal) {
		int accepting = sv->nc < sv->max &&
		                (sv->accept_pause == 0 ||
		                 nk_now() >= sv->accept_pause);
		size_t first;
		size_t np = poll_set(sv, accepting, &first);
		struct timespec ts = { 0, 100 * 1000000L }, *tsp = NULL;
		if (!accepting && sv->nc < sv->max)
			tsp = &ts;   /* woken to retry accept after EMFILE */
		int n = ppoll(sv->pf, np, tsp, waitmask);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tool_msg("poll: %s", strerror(errno));
			return;
		}
		if (!accepting && sv->accept_pause && nk_now() >= sv->accept_pause)
			sv->accept_pause = 0;
		serve_clients(sv, first);
		for (size_t i = 0; i < first; i++)
			if (sv->pf[i].revents & POLLIN)
				accept_clients(sv, sv->pf[i].fd);
	}
}

int
serve(const char *spec, int family, int verbose, long max_clients)
{
	char host[256], err[NK_ERR_MSG_LEN] = "";
	long port;
	int lfd[8];
	size_t nl = NK_ARRAY_LEN(lfd);

	if (parse_listen(spec, host, sizeof host, &port) != 0)
		return NK_ERR_FAILED_INIT;
	nk_err e = nk_listen(host, (int)port, family, lfd, &nl, err);
	if (e)
		return tool_fail(e, err);
	struct server sv = {
		.lfd = lfd, .nl = nl, .max = (size_t)max_clients,
		.verbose = verbose,
	};
	sigset_t waitmask;
	catch_stop(&waitmask);
	for (size_t i = 0; i < sv.nl; i++) {
		char name[96];
		sock_name(sv.lfd[i], name, sizeof name);
		printf("Listening on %s\n", name);
	}
	if (tool_flush_stdout())
		return NK_ERR_WRITE_ERROR;

	sv.cl = calloc(sv.max, sizeof *sv.cl);
	sv.pf = calloc(sv.max + sv.nl, sizeof *sv.pf);
	if (!sv.cl || !sv.pf) {
		free(sv.cl);
		free(sv.pf);
		tool_msg("out of memory");
		return NK_ERR_OUT_OF_MEMORY;
	}
	server_loop(&sv, &waitmask);
	if (verbose)
		tool_msg("stopping on signal %d, closing %zu clients",
		         (int)stop_signal, sv.nc);
	for (size_t i = 0; i < sv.nc; i++) {
		close(sv.cl[i].fd);
		free(sv.cl[i].buf);
	}
	for (size_t i = 0; i < sv.nl; i++)
		close(sv.lfd[i]);
	free(sv.cl);
	free(sv.pf);
	return 0;
}
