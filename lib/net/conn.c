/* conn: blocking reads and writes with deadlines, written once over each
 * transport's non-blocking operations; and the plain TCP transport. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "nk/task.h"
#include "net/conn_int.h"
#include "core/internal.h"

const char *
nk_conn_far(const nk_conn *c, int *port)
{
	if (c->target_port) {
		*port = c->target_port;
		return c->target_host;
	}
	*port = c->peer_port;
	return c->peer_str;
}

void
nk_conn_set_target(nk_conn *c, const char *host, int port)
{
	/* As an address is named everywhere else: without brackets. */
	size_t l = strlen(host);
	if (l >= 2 && host[0] == '[' && host[l - 1] == ']')
		snprintf(c->target_host, sizeof c->target_host, "%.*s",
		         (int)(l - 2), host + 1);
	else
		snprintf(c->target_host, sizeof c->target_host, "%s", host);
	c->target_port = port;
}

static const char *
far_name(const nk_conn *c)
{
	int port;
	return nk_conn_far(c, &port);
}

static int
far_port(const nk_conn *c)
{
	int port;
	nk_conn_far(c, &port);
	return port;
}

static nk_err
plain_read(nk_conn *c, void *buf, size_t len, size_t *n, int *want,
           char *errmsg)
{
	*n = 0;
	*want = 0;
	for (;;) {
		ssize_t r = recv(c->fd, buf, len, 0);
		if (r > 0) {
			*n = (size_t)r;
			return NK_OK;
		}
		if (r == 0)
			return NK_OK;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			*want = NK_WANT_READ;
			return NK_OK;
		}
		return nk_fail(errmsg, NK_ERR_RECV_ERROR, "recv from %s port %d: %s",
		               far_name(c), far_port(c), strerror(errno));
	}
}

static nk_err
plain_write(nk_conn *c, const void *buf, size_t len, size_t *n, int *want,
            char *errmsg)
{
	*n = 0;
	*want = 0;
	for (;;) {
		/* MSG_NOSIGNAL: a peer that went away is an error, not SIGPIPE. */
		ssize_t r = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (r >= 0) {
			*n = (size_t)r;
			return NK_OK;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			*want = NK_WANT_WRITE;
			return NK_OK;
		}
		return nk_fail(errmsg, NK_ERR_SEND_ERROR, "send to %s port %d: %s",
		               far_name(c), far_port(c), strerror(errno));
	}
}

static nk_err
plain_shutdown(nk_conn *c, int *want, char *errmsg)
{
	*want = 0;
	if (shutdown(c->fd, SHUT_WR) != 0 && errno != ENOTCONN)
		return nk_fail(errmsg, NK_ERR_SEND_ERROR, "shutdown to %s port %d: %s",
		               far_name(c), far_port(c), strerror(errno));
	return NK_OK;
}

static size_t
plain_pending(const nk_conn *c)
{
	(void)c;
	return 0;
}

static void
plain_free(nk_conn *c)
{
	(void)c;
}

const struct nk_conn_ops nk_conn_plain_ops = {
	plain_read, plain_write, plain_shutdown, plain_pending, plain_free,
};

/* The printable address and the port of a socket address ("?" and 0 when
 * there is none). */
static void
addr_parts(const struct sockaddr_storage *ss, socklen_t len, char str[64],
           int *port)
{
	*port = 0;
	if (len == 0) {
		memcpy(str, "?", 2);
		return;
	}
	nk_addr_str((const struct sockaddr *)ss, str, 64);
	if (ss->ss_family == AF_INET)
		*port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	else if (ss->ss_family == AF_INET6)
		*port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

nk_err
nk_conn_from_fd(int fd, nk_conn **out, char *errmsg)
{
	*out = NULL;
	/* Every deadline rests on this: a blocking socket would wait in
	 * recv() or send() for as long as the peer likes. */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (!(fl & O_NONBLOCK) &&
	               fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)) {
		int err = errno;
		close(fd);
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "cannot make socket "
		               "%d non-blocking: %s", fd, strerror(err));
	}
	nk_conn *c = calloc(1, sizeof *c);
	if (!c) {
		close(fd);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	c->ops = &nk_conn_plain_ops;
	c->fd = fd;
	c->pipe[0] = c->pipe[1] = -1;
	c->splice_out = -1;
	c->peerlen = sizeof c->peer;
	if (getpeername(fd, (struct sockaddr *)&c->peer, &c->peerlen) != 0)
		c->peerlen = 0;
	addr_parts(&c->peer, c->peerlen, c->peer_str, &c->peer_port);
	/* Once here, rather than per request on a reused connection. */
	c->locallen = sizeof c->local;
	if (getsockname(fd, (struct sockaddr *)&c->local, &c->locallen) != 0)
		c->locallen = 0;
	addr_parts(&c->local, c->locallen, c->local_str, &c->local_port);
	*out = c;
	return NK_OK;
}

/* Waits for `want` on the conn's socket until the deadline. */
static nk_err
wait_fd(nk_conn *c, int want, nk_time deadline, const char *what,
        char *errmsg)
{
	struct pollfd p = { c->fd, (short)((want & NK_WANT_WRITE ? POLLOUT : 0) |
	                                   (want & NK_WANT_READ ? POLLIN : 0)), 0 };
	for (;;) {
		int ms = nk_deadline_poll_ms(deadline);
		if (ms == 0)
			return nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT,
			               "timed out %s %s port %d", what, far_name(c),
			               far_port(c));
		int r = nk_task_poll(&p, 1, ms);
		if (r > 0)
			return NK_OK;
		if (r < 0 && errno != EINTR)
			return nk_fail(errmsg, NK_ERR_RECV_ERROR, "poll: %s",
			               strerror(errno));
	}
}

nk_err
nk_conn_try_read(nk_conn *c, void *buf, size_t len, size_t *n, int *want,
                 char *errmsg)
{
	nk_err e = c->ops->read(c, buf, len, n, want, errmsg);
	if (!e)
		c->bytes_in += *n;
	return e;
}

nk_err
nk_conn_try_write(nk_conn *c, const void *buf, size_t len, size_t *n,
                  int *want, char *errmsg)
{
	nk_err e = c->ops->write(c, buf, len, n, want, errmsg);
	if (!e)
		c->bytes_out += *n;
	return e;
}

nk_err
nk_conn_try_sendfile(nk_conn *c, int in, size_t len, size_t *n, int *want,
                     char *errmsg)
{
	*n = 0;
	*want = 0;
	for (;;) {
		ssize_t r = sendfile(c->fd, in, NULL, len);
		if (r >= 0) {
			*n = (size_t)r;
			c->bytes_out += *n;
			return NK_OK;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			*want = NK_WANT_WRITE;
			return NK_OK;
		}
		/* sendfile does not say which side failed: a socket error is
		 * what the peer did, anything else is the file's. */
		if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
			return nk_fail(errmsg, NK_ERR_SEND_ERROR, "send to %s port %d: "
			               "%s", far_name(c), far_port(c), strerror(errno));
		return nk_fail(errmsg, NK_ERR_READ_ERROR, "reading the request "
		               "body: %s", strerror(errno));
	}
}

nk_err
nk_conn_read(nk_conn *c, void *buf, size_t len, nk_time deadline, size_t *n,
             char *errmsg)
{
	for (;;) {
		int want;
		nk_err e = nk_conn_try_read(c, buf, len, n, &want, errmsg);
		if (e || *n > 0 || !want)
			return e;
		e = wait_fd(c, want, deadline, "reading from", errmsg);
		if (e)
			return e;
	}
}

nk_err
nk_conn_write(nk_conn *c, const void *buf, size_t len, nk_time deadline,
              char *errmsg)
{
	const char *p = buf;
	while (len > 0) {
		size_t n;
		int want;
		nk_err e = nk_conn_try_write(c, p, len, &n, &want, errmsg);
		if (e)
			return e;
		p += n;
		len -= n;
		if (n == 0 && want) {
			e = wait_fd(c, want, deadline, "sending to", errmsg);
			if (e)
				return e;
		}
	}
	return NK_OK;
}

nk_err
nk_conn_shutdown(nk_conn *c, nk_time deadline, char *errmsg)
{
	if (c->wr_shut)
		return NK_OK;
	for (;;) {
		int want;
		nk_err e = c->ops->shutdown(c, &want, errmsg);
		if (e)
			return e;
		if (!want)
			break;
		e = wait_fd(c, want, deadline, "closing to", errmsg);
		if (e)
			return e;
	}
	c->wr_shut = 1;
	return NK_OK;
}

/* ---- splice: socket to descriptor inside the kernel ----------------- */

/* The pipe between the socket and out. A bigger one than the default 64
 * KiB means fewer system calls per byte; the kernel may refuse (the limit
 * is /proc/sys/fs/pipe-max-size), which only costs calls. */
#define SPLICE_PIPE (1024 * 1024)

int
nk_conn_can_splice(const nk_conn *c)
{
	return c->ops == &nk_conn_plain_ops;
}

static nk_err
out_fail(const char *name, char *errmsg)
{
	return nk_fail(errmsg, NK_ERR_WRITE_ERROR, "writing to %s: %s", name,
	               strerror(errno));
}

/* Waits until out takes bytes again, for an out opened O_NONBLOCK (a
 * shell's pipe can be): retrying at once would spin. No deadline, as a
 * blocking write(2) to it would have none: the deadlines are the peer's. */
static nk_err
wait_out(int out, const char *name, char *errmsg)
{
	struct pollfd p = { out, POLLOUT, 0 };
	while (nk_task_poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return out_fail(name, errmsg);
	return NK_OK;
}

/* Is out full (an O_NONBLOCK pipe or socket that takes nothing now)? */
static int
out_full(int out)
{
	struct pollfd p = { out, POLLOUT, 0 };
	return poll(&p, 1, 0) == 0;
}

/* Writes what the pipe holds (n bytes) to out with read and write: for an
 * out that splice(2) refuses. */
static nk_err
drain_by_copy(int rd, int out, const char *name, size_t n, char *errmsg)
{
	char buf[16384];
	while (n > 0) {
		ssize_t r = read(rd, buf, n < sizeof buf ? n : sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return nk_fail(errmsg, NK_ERR_WRITE_ERROR, "writing to %s: "
			               "lost bytes in the pipe", name);
		n -= (size_t)r;
		for (char *p = buf; r > 0;) {
			ssize_t w = write(out, p, (size_t)r);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				nk_err e = wait_out(out, name, errmsg);
				if (e)
					return e;
				continue;
			}
			if (w < 0)
				return out_fail(name, errmsg);
			p += w;
			r -= w;
		}
	}
	return NK_OK;
}

nk_err
nk_conn_splice(nk_conn *c, int out, const char *name, size_t len,
               nk_time deadline, size_t *n, char *errmsg)
{
	*n = 0;
	if (!nk_conn_can_splice(c))
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "cannot splice from a "
		               "TLS connection");
	if (len == 0)
		return NK_OK;
	/* Whether out is a pipe is asked once per descriptor, not per call.
	 * Should the number name something else later, a pipe taken for
	 * anything else fails with EINVAL below, and anything taken for no
	 * pipe still works through ours. */
	if (out != c->splice_out) {
		struct stat st;
		c->splice_out = out;
		c->splice_direct = fstat(out, &st) == 0 && S_ISFIFO(st.st_mode);
	}
	int direct = c->splice_direct;
	if (!direct && c->pipe[0] < 0) {
		if (pipe2(c->pipe, O_CLOEXEC) != 0)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "pipe: %s",
			               strerror(errno));
		(void)fcntl(c->pipe[1], F_SETPIPE_SZ, SPLICE_PIPE);
	}
	if (!direct && len > SPLICE_PIPE)
		len = SPLICE_PIPE;
	/* Into the pipe: out itself, where a full pipe blocks us as write()
	 * would; or ours, which is empty, so EAGAIN means the socket is. */
	ssize_t r;
	for (;;) {
		r = splice(c->fd, NULL, direct ? out : c->pipe[1], NULL, len,
		           SPLICE_F_MOVE | (direct ? 0 : SPLICE_F_NONBLOCK));
		if (r >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (direct && errno == EINVAL) {
			c->splice_direct = 0;    /* through our pipe, then */
			return nk_conn_splice(c, out, name, len, deadline, n, errmsg);
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* Directly into out, EAGAIN may be out's: full, and
			 * O_NONBLOCK. Waiting for the socket would return at
			 * once, again and again. */
			nk_err e = direct && out_full(out)
			           ? wait_out(out, name, errmsg)
			           : wait_fd(c, NK_WANT_READ, deadline, "reading from",
			                     errmsg);
			if (e)
				return e;
			continue;
		}
		if (direct && (errno == EPIPE || errno == EBADF))
			return out_fail(name, errmsg);
		return nk_fail(errmsg, NK_ERR_RECV_ERROR, "recv from %s port %d: %s",
		               far_name(c), far_port(c), strerror(errno));
	}
	if (r == 0)
		return NK_OK;
	c->bytes_in += (uint64_t)r;
	*n = (size_t)r;
	if (direct)
		return NK_OK;
	/* Out of our pipe: every byte, or the pipe would hold some back. */
	size_t left = (size_t)r;
	nk_err e = NK_OK;
	while (left > 0 && !e) {
		ssize_t w = splice(c->pipe[0], NULL, out, NULL, left, SPLICE_F_MOVE);
		if (w > 0)
			left -= (size_t)w;
		else if (w < 0 && errno == EINTR)
			continue;
		else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			e = wait_out(out, name, errmsg);
		else if (w < 0 && errno == EINVAL) {
			e = drain_by_copy(c->pipe[0], out, name, left, errmsg);
			left = 0;
		} else {
			if (w == 0)
				errno = EIO;
			e = out_fail(name, errmsg);
		}
	}
	if (e) {
		/* What the pipe still holds must not reach a later call. */
		close(c->pipe[0]);
		close(c->pipe[1]);
		c->pipe[0] = c->pipe[1] = -1;
	}
	return e;
}

size_t
nk_conn_pending(const nk_conn *c)
{
	return c->ops->pending(c);
}

int
nk_conn_fd(const nk_conn *c)
{
	return c->fd;
}

const struct sockaddr *
nk_conn_peer(const nk_conn *c, socklen_t *len)
{
	if (len)
		*len = c->peerlen;
	return (const struct sockaddr *)&c->peer;
}

const char *
nk_conn_peer_str(const nk_conn *c)
{
	return c->peer_str;
}

int
nk_conn_peer_port(const nk_conn *c)
{
	return c->peer_port;
}

const struct sockaddr *
nk_conn_local(const nk_conn *c, socklen_t *len)
{
	if (len)
		*len = c->locallen;
	return (const struct sockaddr *)&c->local;
}

const char *
nk_conn_local_str(const nk_conn *c)
{
	return c->local_str;
}

int
nk_conn_local_port(const nk_conn *c)
{
	return c->local_port;
}

uint64_t
nk_conn_bytes_in(const nk_conn *c)
{
	return c->bytes_in;
}

uint64_t
nk_conn_bytes_out(const nk_conn *c)
{
	return c->bytes_out;
}

void
nk_conn_free(nk_conn *c)
{
	if (!c)
		return;
	c->ops->free(c);
	if (c->fd >= 0)
		close(c->fd);
	if (c->pipe[0] >= 0) {
		close(c->pipe[0]);
		close(c->pipe[1]);
	}
	free(c);
}
