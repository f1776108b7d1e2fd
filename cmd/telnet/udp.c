/* -u: a UDP session. Each line of stdin (its newline included, as nc -u
 * sends a line typed at a terminal) goes as one datagram; each datagram
 * received is written to stdout: as it is in a pipe, made terminal-safe
 * at a terminal. After stdin ends, the session waits for replies until
 * none has come for --eof-wait seconds (or, with -q, for exactly -q
 * seconds); --idle-timeout ends it with 28. An ICMP port unreachable for
 * what we sent ends it with 7. */
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "nk/err.h"
#include "nk/time.h"
#include "dgram.h"
#include "safe.h"
#include "tool.h"

/* The largest UDP payload over IPv4 (65535 - 8 - 20); a longer line
 * goes in pieces of this size. */
#define UDP_MAX 65507

struct udp {
	int fd;
	unsigned char in[UDP_MAX];      /* stdin not yet sent */
	size_t inlen;
	unsigned char pkt[65536];
	char esc[SAFE_MAX(65536)];
	struct safe safe;
	int escape;                     /* stdout is a terminal */
	nk_time last;                   /* the last datagram either way */
	nk_time eof;                    /* when stdin ended, or 0 */
	struct sesslog *log;
};

static int
net_fail(const char *what, int err)
{
	if (err == ECONNREFUSED)
		return tool_failf(NK_ERR_COULDNT_CONNECT, "%s: %s (port "
		                  "unreachable)", what, strerror(err));
	return tool_failf(!strcmp(what, "send") ? NK_ERR_SEND_ERROR :
	                  NK_ERR_RECV_ERROR, "%s: %s", what, strerror(err));
}

/* --hexdump and -o. 0, or the exit status. */
static int
log_data(struct udp *u, int dir, const void *p, size_t n)
{
	char msg[NK_ERR_MSG_LEN];
	if (sesslog_data(u->log, dir, p, n, msg) == 0)
		return 0;
	return tool_fail(NK_ERR_WRITE_ERROR, msg);
}

/* Sends in[0..n) as one datagram. 0, or the exit status. */
static int
send_one(struct udp *u, const unsigned char *p, size_t n)
{
	for (;;) {
		if (send(u->fd, p, n, 0) >= 0) {
			u->last = nk_now();
			return log_data(u, LOG_SENT, p, n);
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS) {
			struct pollfd pf = { u->fd, POLLOUT, 0 };
			(void)poll(&pf, 1, 100);
			continue;
		}
		return net_fail("send", errno);
	}
}

/* Sends each whole line of the input buffer, and at EOF (or when a line
 * fills the buffer) what is left. 0, or the exit status. */
static int
send_lines(struct udp *u, int flush)
{
	size_t off = 0;
	int code;
	for (;;) {
		unsigned char *nl = memchr(u->in + off, '\n', u->inlen - off);
		if (!nl)
			break;
		size_t len = (size_t)(nl - (u->in + off)) + 1;
		if ((code = send_one(u, u->in + off, len)) != 0)
			return code;
		off += len;
	}
	int full = off == 0 && u->inlen == sizeof u->in;
	if (off < u->inlen && (flush || full)) {
		if ((code = send_one(u, u->in + off, u->inlen - off)) != 0)
			return code;
		off = u->inlen;
	}
	memmove(u->in, u->in + off, u->inlen - off);
	u->inlen -= off;
	return 0;
}

static int
write_all(const void *p, size_t n)
{
	if (tool_write_all(STDOUT_FILENO, p, n) == 0)
		return 0;
	if (errno == EPIPE)
		return -1;      /* the reader went away: end quietly */
	return tool_failf(NK_ERR_WRITE_ERROR, "writing output: %s",
	                  errno ? strerror(errno) : "no progress");
}

/* A datagram arrived: shown. 0, -1 to end with 0, or the exit status. */
static int
receive(struct udp *u)
{
	ssize_t r = recv(u->fd, u->pkt, sizeof u->pkt, 0);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 :
		       net_fail("recv", errno);
	u->last = nk_now();
	int code = log_data(u, LOG_RECEIVED, u->pkt, (size_t)r);
	if (code)
		return code;
	if (!u->escape)
		return write_all(u->pkt, (size_t)r);
	return write_all(u->esc, safe_text(&u->safe, u->pkt, (size_t)r,
	                                   u->esc));
}

/* stdin is readable. 0, or the exit status. */
static int
take_input(struct udp *u)
{
	ssize_t r = read(STDIN_FILENO, u->in + u->inlen,
	                 sizeof u->in - u->inlen);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 :
		       tool_failf(NK_ERR_READ_ERROR, "reading input: %s",
		                  strerror(errno));
	if (r == 0)
		u->eof = nk_now();
	u->inlen += (size_t)r;
	return send_lines(u, r == 0);
}

/* The deadline now in force, and whether passing it is the idle timeout
 * (28) rather than the quiet end of the session. */
static nk_time
next_deadline(const struct udp *u, const struct udp_args *a, int *idle)
{
	nk_time d = NK_NO_DEADLINE;
	*idle = 0;
	if (a->idle_ms > 0) {
		d = u->last + a->idle_ms * 1000;
		*idle = 1;
	}
	if (u->eof && a->quit_ms != QUIT_FOREVER) {
		nk_time end = a->quit_ms >= 0 ? u->eof + a->quit_ms * 1000 :
		              (u->last > u->eof ? u->last : u->eof) +
		              a->wait_ms * 1000;
		if (d == NK_NO_DEADLINE || end <= d) {
			d = end;
			*idle = 0;
		}
	}
	return d;
}

static int
open_socket(struct udp *u, const struct udp_args *a)
{
	nk_addr addr, *ad = &addr;
	memset(&addr, 0, sizeof addr);
	int code = udp_first_addr(a, ad);
	if (code)
		return code;
	u->fd = socket(ad->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u->fd < 0 || connect(u->fd, (struct sockaddr *)&ad->sa,
	                         ad->len) != 0) {
		int en = errno;
		return tool_failf(NK_ERR_COULDNT_CONNECT, "UDP to %s port %d: "
		                  "%s", a->host, a->port, strerror(en));
	}
	if (a->verbose)
		fprintf(stderr, "* Sending to %s (%s) port %d (UDP).\n", a->host,
		        ad->str, a->port);
	return 0;
}

static int
udp_loop(struct udp *u, const struct udp_args *a)
{
	int code = 0;
	while (code == 0) {
		int idle;
		nk_time d = next_deadline(u, a, &idle);
		struct pollfd pf[2] = {
			{ u->fd, POLLIN, 0 },
			{ u->eof ? -1 : STDIN_FILENO, POLLIN, 0 },
		};
		int n = poll(pf, 2, nk_deadline_poll_ms(d));
		if (n < 0 && errno != EINTR)
			return tool_failf(NK_ERR_RECV_ERROR, "poll: %s",
			                  strerror(errno));
		if (n == 0) {
			if (idle)
				return tool_failf(NK_ERR_OPERATION_TIMEDOUT, "no "
				                  "datagram either way for %lld ms",
				                  (long long)a->idle_ms);
			return 0;
		}
		if (n < 0)
			continue;
		if (pf[0].revents)
			code = receive(u);
		if (code == 0 && pf[1].revents)
			code = take_input(u);
	}
	return code < 0 ? 0 : code;
}

int
udp_run(const struct udp_args *a)
{
	static struct udp u;
	memset(&u, 0, sizeof u);
	int code = a->listen ? udp_listen(a, &u.fd) : open_socket(&u, a);
	if (code)
		return code;
	u.escape = isatty(STDOUT_FILENO) && !a->raw_output;
	u.safe.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	u.safe.raw = a->raw_output;
	u.last = nk_now();
	u.log = a->log;
	code = udp_loop(&u, a);
	if (u.escape && code == 0) {
		size_t n = safe_end(&u.safe, u.esc);
		if (n && write_all(u.esc, n) > 0)
			code = NK_ERR_WRITE_ERROR;
	}
	close(u.fd);
	return code;
}
