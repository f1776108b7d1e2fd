/* tcp: connect with Happy Eyeballs (RFC 8305) under one deadline. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "nk/task.h"
#include "core/internal.h"
#include "net/net_int.h"

/* An attempt still in flight. */
struct racer {
	int fd;
	size_t addr;        /* index into the address list */
	nk_attempt *rec;    /* its record in info, or NULL past NK_MAX_ATTEMPTS */
};

struct race {
	const nk_addrlist *al;
	nk_connect_info *info;
	struct racer *r;
	struct pollfd *p;
	size_t nr;
	int last_errno;     /* of the latest failure, for the message */
	int same_errno;     /* every failure so far had last_errno */
	size_t nfailed;
	struct sockaddr_storage src;   /* nk_netopts.source, when srclen */
	socklen_t srclen;
};

static nk_attempt *
record(struct race *rc, const nk_addr *a, nk_time now)
{
	nk_connect_info *info = rc->info;
	if (info->nattempts >= NK_MAX_ATTEMPTS)
		return NULL;
	nk_attempt *t = &info->attempts[info->nattempts++];
	snprintf(t->addr, sizeof t->addr, "%s", a->str);
	t->port = info->port;
	t->family = a->family;
	t->start = now;
	return t;
}

static void
finish(nk_attempt *t, nk_err e, const char *why, nk_time now)
{
	if (!t)
		return;
	t->end = now;
	t->err = e;
	snprintf(t->why, sizeof t->why, "%s", why);
}

static void
failed(struct race *rc, nk_attempt *t, int err, nk_time now)
{
	finish(t, NK_ERR_COULDNT_CONNECT, strerror(err), now);
	rc->same_errno = rc->nfailed == 0 || (rc->same_errno &&
	                                      rc->last_errno == err);
	rc->last_errno = err;
	rc->nfailed++;
}

/* Starts a non-blocking connect to address i. Returns 1 when it is in
 * flight (added to the racers), 2 when it connected at once (*fd set),
 * 0 when it failed at once. */
static int
start(struct race *rc, size_t i, int *fd)
{
	const nk_addr *a = &rc->al->v[i];
	nk_time now = nk_now();
	nk_attempt *t = record(rc, a, now);
	int s = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	               IPPROTO_TCP);
	if (s < 0) {
		failed(rc, t, errno, now);
		return 0;
	}
	int r;
	if (rc->srclen) {
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		errno = EAFNOSUPPORT;
		if (rc->src.ss_family != a->sa.ss_family ||
		    bind(s, (const struct sockaddr *)&rc->src, rc->srclen) != 0) {
			int err = errno;
			close(s);
			failed(rc, t, err, nk_now());
			return 0;
		}
	}
	do
		r = connect(s, (const struct sockaddr *)&a->sa, a->len);
	while (r != 0 && errno == EINTR);
	if (r == 0) {
		finish(t, NK_OK, "connected", nk_now());
		*fd = s;
		return 2;
	}
	if (errno != EINPROGRESS) {
		int err = errno;
		close(s);
		failed(rc, t, err, nk_now());
		return 0;
	}
	rc->r[rc->nr] = (struct racer){ s, i, t };
	rc->p[rc->nr] = (struct pollfd){ s, POLLOUT, 0 };
	rc->nr++;
	return 1;
}

static void
drop(struct race *rc, size_t k)
{
	close(rc->r[k].fd);
	rc->nr--;
	rc->r[k] = rc->r[rc->nr];
	rc->p[k] = rc->p[rc->nr];
}

/* Why an attempt that lost the race ends, in words a person reads. */
#define CANCELLED_WHY "cancelled: another address connected first"

/* Ends every attempt still in flight with e/why. */
static void
drop_all(struct race *rc, nk_err e, const char *why)
{
	nk_time now = nk_now();
	while (rc->nr > 0) {
		finish(rc->r[rc->nr - 1].rec, e, why, now);
		drop(rc, rc->nr - 1);
	}
}

/* "(tried ::1, 127.0.0.1)", or "" when the only address is the host. */
static void
tried(const nk_connect_info *info, const char *host, char *buf, size_t len)
{
	buf[0] = '\0';
	if (info->nattempts == 0 ||
	    (info->nattempts == 1 && strcmp(info->attempts[0].addr, host) == 0))
		return;
	size_t o = 0;
	for (size_t i = 0; i < info->nattempts && o + 1 < len; i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i ? ", " : " (tried ",
		                 info->attempts[i].addr);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (o + 2 <= len)
		snprintf(buf + o, len - o, ")");
}

/* Races the addresses; returns the winner's fd in *fd and its index in
 * *win. */
static nk_err
race(struct race *rc, const nk_netopts *o, nk_time deadline, int *fd,
     size_t *win, char *errmsg)
{
	const nk_addrlist *al = rc->al;
	nk_connect_info *info = rc->info;
	int64_t delay = (o->happy_eyeballs_ms > 0 ? o->happy_eyeballs_ms
	                                          : NK_HAPPY_EYEBALLS_MS) * 1000;
	size_t next = 0;
	nk_time next_at = 0;
	char why[128];

	for (;;) {
		nk_time now = nk_now();
		if (deadline != NK_NO_DEADLINE && now >= deadline)
			break;
		if (next < al->n && (rc->nr == 0 || now >= next_at)) {
			size_t i = next++;
			int s = start(rc, i, fd);
			if (s == 2) {
				*win = i;
				drop_all(rc, NK_ERR_ABORTED_BY_CALLBACK, CANCELLED_WHY);
				return NK_OK;
			}
			/* A failure lets the next address go at once (RFC 8305
			 * section 5); a pending one holds it back by the delay. */
			next_at = s == 1 ? nk_now() + delay : 0;
			continue;
		}
		if (rc->nr == 0) {
			tried(info, info->host, why, sizeof why);
			return nk_fail(errmsg, NK_ERR_COULDNT_CONNECT,
			               "Failed to connect to %s port %d: %s%s", info->host,
			               info->port, strerror(rc->last_errno), why);
		}
		nk_time wake = next < al->n ? next_at : NK_NO_DEADLINE;
		int ms = nk_deadline_poll_ms(nk_deadline_min(wake, deadline));
		int n = nk_task_poll(rc->p, rc->nr, ms);
		if (n < 0 && errno != EINTR) {
			int err = errno;
			drop_all(rc, NK_ERR_COULDNT_CONNECT, strerror(err));
			return nk_fail(errmsg, NK_ERR_COULDNT_CONNECT, "poll: %s",
			               strerror(err));
		}
		if (n <= 0)
			continue;
		now = nk_now();
		for (size_t k = 0; k < rc->nr;) {
			if (!rc->p[k].revents) {
				k++;
				continue;
			}
			int err = 0;
			socklen_t elen = sizeof err;
			if (getsockopt(rc->p[k].fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
				err = errno;
			if (err == 0 && (rc->p[k].revents & POLLOUT)) {
				finish(rc->r[k].rec, NK_OK, "connected", now);
				*fd = rc->r[k].fd;
				*win = rc->r[k].addr;
				rc->nr--;
				rc->r[k] = rc->r[rc->nr];
				rc->p[k] = rc->p[rc->nr];
				drop_all(rc, NK_ERR_ABORTED_BY_CALLBACK, CANCELLED_WHY);
				return NK_OK;
			}
			failed(rc, rc->r[k].rec, err ? err : ECONNREFUSED, now);
			drop(rc, k);
			next_at = 0;
		}
	}

	/* The deadline passed with attempts in flight or still to start. */
	drop_all(rc, NK_ERR_OPERATION_TIMEDOUT, "timed out");
	return nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT,
	               "Failed to connect to %s port %d: Connection timed out "
	               "after %lld ms", info->host, info->port,
	               (long long)((nk_now() - info->start) / 1000));
}

nk_err
nk_connect(const nk_netopts *o, const char *host, int port, nk_time deadline,
           nk_conn **out, nk_connect_info *info, char *errmsg)
{
	static const nk_netopts none;
	nk_connect_info local;
	nk_addrlist al = { NULL, 0, 0 };
	struct race rc;
	int fd = -1;
	size_t win = 0;
	nk_err e;

	memset(&rc, 0, sizeof rc);
	*out = NULL;
	if (!info)
		info = &local;
	memset(info, 0, sizeof *info);
	info->start = nk_now();
	if (!o)
		o = &none;
	e = nk_netopts_check(o, errmsg);
	if (e)
		return e;
	if (!host)
		host = "";
	e = nk_connect_to_apply(o, host, port, info->host, sizeof info->host,
	                        &info->port, errmsg);
	if (e)
		return e;
	if (info->port < 1 || info->port > 65535)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "port %d out of range", info->port);
	if (o->connect_timeout_ms > 0)
		deadline = nk_deadline_min(deadline, info->start +
		                                     o->connect_timeout_ms * 1000);

	e = nk_resolve(o, info->host, info->port, deadline, &al, errmsg);
	if (e)
		return e;
	info->resolved = nk_now();

	rc.al = &al;
	rc.info = info;
	if (o->source && (e = nk_source_parse(o->source, &rc.src, &rc.srclen,
	                                      errmsg)) != NK_OK)
		goto done;
	rc.r = calloc(al.n, sizeof *rc.r);
	rc.p = calloc(al.n, sizeof *rc.p);
	if (!rc.r || !rc.p) {
		e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		goto done;
	}
	e = race(&rc, o, deadline, &fd, &win, errmsg);
	if (e)
		goto done;
	info->connected = nk_now();
	info->source = al.v[win].source;
	int one = 1;
	/* Interactive tools write small pieces and wait for answers: Nagle
	 * would only add delay. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	e = nk_conn_from_fd(fd, out, errmsg);
done:
	free(rc.r);
	free(rc.p);
	nk_addrlist_free(&al);
	return e;
}
