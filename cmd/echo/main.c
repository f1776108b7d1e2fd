/* nk echo: an echo client that checks every byte and times every round
 * trip (ping-style), here, and an echo server that serves many clients
 * from one poll loop with bounded buffering (server.c). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nk/nk.h"
#include "netargs.h"
#include "opts.h"
#include "report.h"
#include "server.h"
#include "text.h"
#include "tool.h"

enum {
	O_LISTEN = 1, O_TIMEOUT, O_COUNT, O_SIZE, O_INTERVAL, O_QUIET, O_VERBOSE,
	O_MAX_CLIENTS,
	O_JSON,
};

static const struct opt opts[] = {
	{ O_LISTEN, 'l', "listen", OPT_STRING, "[ADDR:]PORT",
	  NULL, "run the echo server on ADDR (default all) and PORT (0: any)" },
	NETARGS_FAMILY_OPTS,
	NETARGS_RESOLVE_OPT,
	NETARGS_CONNECT_OPTS,
	NETARGS_PROXY_OPTS,
	{ O_TIMEOUT, 'W', "timeout", OPT_NUM, "SECS",
	  NULL, "wait at most SECS for each echo (default 10, 0: forever)" },
	{ O_COUNT, 'c', "count", OPT_NUM, "N",
	  NULL, "send N generated messages (default 1 with --size)" },
	{ O_SIZE, 's', "size", OPT_NUM, "BYTES",
	  NULL, "generated message size, suffix k or M for KiB, MiB (default 64)" },
	{ O_INTERVAL, 'i', "interval", OPT_NUM, "SECS",
	  NULL, "pause SECS between messages (default 0)" },
	{ O_QUIET, 'q', "quiet", OPT_FLAG, NULL, NULL, "print only the summary" },
	{ O_JSON, 0, "json", OPT_FLAG, NULL, NULL,
	  "print the statistics and every mismatch as one JSON object" },
	{ O_VERBOSE, 'v', "verbose", OPT_FLAG, NULL,
	  NULL, "server: log connects and disconnects on stderr" },
	{ O_MAX_CLIENTS, 0, "max-clients", OPT_NUM, "N",
	  NULL, "server: serve at most N clients at once (default 1000)" },
};

static const struct tool tool = {
	"echo", "check a TCP echo service byte for byte, or run one",
	"[options] HOST PORT [MESSAGE...] | --listen [ADDR:]PORT",
	opts, NK_ARRAY_LEN(opts),
};

/* ---- client ---- */

#define CLIENT_BUF (64 * 1024)
#define LINE 64

/* One message: its bytes, or (data NULL) the generated pattern. */
struct msg {
	const char *data;
	size_t len;
	unsigned long long seq;
};

/* What came back for one message. */
struct echo {
	size_t back;
	int mismatch;
	size_t bad_at;
	unsigned char want, got;
};

struct bufs {
	char w[CLIENT_BUF], r[CLIENT_BUF], e[CLIENT_BUF];
};

/* Bytes [off, off + n) of generated message seq of total bytes: 64-byte
 * text lines that name their message and offset, so a misplaced chunk is
 * plain in a capture; the message ends in a newline for line-based peers. */
static void
gen(unsigned long long seq, size_t total, size_t off, char *out, size_t n)
{
	static const char fill[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	while (n > 0) {
		size_t lineno = off / LINE, col = off % LINE;
		char line[LINE + 8];
		int h = snprintf(line, sizeof line, "nk-echo seq=%llu off=%zu ", seq,
		                 lineno * LINE);
		if (h < 0 || h > LINE - 1)
			h = LINE - 1;
		for (size_t i = (size_t)h; i < LINE - 1; i++)
			line[i] = fill[(i + lineno) % (sizeof fill - 1)];
		line[LINE - 1] = '\n';
		size_t take = LINE - col;
		if (take > n)
			take = n;
		memcpy(out, line + col, take);
		if (off + take == total)
			out[take - 1] = '\n';
		out += take;
		off += take;
		n -= take;
	}
}

/* Sends the message and reads its echo back, both at once so neither side
 * can stall on a full buffer, until every byte is back or the deadline.
 * Compares as bytes arrive. Errors: 28, 56 with err set. */
static nk_err
exchange(nk_conn *c, const struct msg *m, int64_t timeout_ms, struct bufs *b,
         struct echo *r, char *err)
{
	char why[NK_ERR_MSG_LEN] = "";
	nk_time deadline = nk_deadline_in_ms(timeout_ms);
	nk_time t0 = nk_now();
	size_t sent = 0, wlen = 0, woff = 0;
	nk_err e;

	memset(r, 0, sizeof *r);
	while (r->back < m->len) {
		int progress = 0, want = 0, w_want = 0;
		if (sent < m->len) {
			const char *p;
			size_t n, done;
			if (m->data) {
				p = m->data + sent;
				n = m->len - sent;
			} else {
				if (woff == wlen) {
					wlen = m->len - sent < CLIENT_BUF ? m->len - sent
					                                  : CLIENT_BUF;
					gen(m->seq, m->len, sent, b->w, wlen);
					woff = 0;
				}
				p = b->w + woff;
				n = wlen - woff;
			}
			e = nk_conn_try_write(c, p, n, &done, &w_want, why);
			if (e)
				goto lost;
			if (done > 0) {
				sent += done;
				woff += done;
				progress = 1;
				w_want = 0;
			}
		}
		size_t room = m->len - r->back < CLIENT_BUF ? m->len - r->back
		                                            : CLIENT_BUF;
		size_t got;
		int r_want;
		e = nk_conn_try_read(c, b->r, room, &got, &r_want, why);
		if (e)
			goto lost;
		if (got > 0) {
			/* Generated messages have no data to point into (and an
			 * offset from NULL is undefined behaviour). */
			const char *exp = b->e;
			if (m->data)
				exp = m->data + r->back;
			else
				gen(m->seq, m->len, r->back, b->e, got);
			if (!r->mismatch && memcmp(exp, b->r, got) != 0) {
				size_t i = 0;
				while (exp[i] == b->r[i])
					i++;
				r->mismatch = 1;
				r->bad_at = r->back + i;
				r->want = (unsigned char)exp[i];
				r->got = (unsigned char)b->r[i];
			}
			r->back += got;
			continue;
		}
		if (!r_want)
			return nk_err_set(err, NK_ERR_RECV_ERROR,
			               "connection closed by %s port %d during message "
			               "%llu: %zu of %zu bytes came back",
			               nk_conn_peer_str(c), nk_conn_peer_port(c), m->seq,
			               r->back, m->len);
		if (progress || nk_conn_pending(c) > 0)
			continue;
		want = w_want | r_want;
		struct pollfd p = { nk_conn_fd(c), (short)(
			(want & NK_WANT_READ ? POLLIN : 0) |
			(want & NK_WANT_WRITE ? POLLOUT : 0)), 0 };
		int ms = nk_deadline_poll_ms(deadline);
		if (ms == 0 || (poll(&p, 1, ms) == 0 && nk_deadline_poll_ms(deadline) == 0))
			return nk_err_set(err, NK_ERR_OPERATION_TIMEDOUT,
			               "timed out after %lld ms waiting for the echo of "
			               "message %llu: %zu of %zu bytes came back",
			               (long long)((nk_now() - t0) / 1000), m->seq,
			               r->back, m->len);
	}
	return NK_OK;
lost:
	return nk_err_set(err, NK_ERR_RECV_ERROR,
	               "connection lost during message %llu (%zu of %zu bytes "
	               "came back): %s", m->seq, r->back, m->len, why);
}

static void
summary(const struct stats *s, const char *host, int port, double total_ms)
{
	printf("--- %s port %d echo statistics ---\n", host, port);
	printf("%llu sent, %llu received, %llu mismatched, %llu bytes, "
	       "time %.1f ms\n", s->sent, s->received, s->mismatched, s->bytes,
	       total_ms);
	if (s->received > 0) {
		double avg, mdev;
		stats_rtt(s, &avg, &mdev);
		printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", s->min, avg,
		       s->max, mdev);
	}
}

/* Parses a size with an optional k or M (binary) suffix. */
static int
parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned long long mul = 1;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024 * 1024, end++;
	if (errno || end == s || *end || s[0] == '-' || v == 0 ||
	    v > (1ULL << 30) / mul) {
		tool_msg("--size takes a byte count from 1 to 1G (suffix k or M), "
		         "not '%s'", s);
		return -1;
	}
	*out = (size_t)(v * mul);
	return 0;
}

struct client_opts {
	const char *host;
	int port;
	const char **msgs;
	size_t nmsgs;
	long count;             /* 0: no generated messages */
	size_t size;
	int64_t timeout_ms, interval_ms;
	int quiet, json;
};

/* One echo back: counted, and said (a line, or a JSON mismatch). */
static void
record(struct stats *st, const struct client_opts *co, const nk_conn *c,
       const struct msg *m, const struct echo *r, double ms)
{
	st->received++;
	st->bytes += m->len;
	st->min = st->received == 1 || ms < st->min ? ms : st->min;
	st->max = ms > st->max ? ms : st->max;
	st->sum += ms;
	st->sum2 += ms * ms;
	if (r->mismatch)
		st->mismatched++;
	if (co->json) {
		if (r->mismatch)
			json_mismatch(m->seq, m->len, r->bad_at, r->want, r->got, ms);
		return;
	}
	if (co->quiet)
		return;
	printf("%zu bytes from %s port %d: seq=%llu time=%.3f ms", m->len,
	       nk_conn_peer_str(c), nk_conn_peer_port(c), m->seq, ms);
	if (r->mismatch)
		printf(" MISMATCH at byte %zu (sent 0x%02x, got 0x%02x)",
		       r->bad_at, r->want, r->got);
	putchar('\n');
	if (co->interval_ms > 0 || !co->count)
		fflush(stdout);
}

static int
run_client(const struct client_opts *co, const struct netargs *na)
{
	char err[NK_ERR_MSG_LEN] = "", show[300];
	nk_connect_info info;
	nk_conn *c = NULL;
	struct stats st;
	nk_err e, fail = NK_OK;
	char *line = NULL;
	size_t cap = 0;

	text_safe_buf(co->host, show, sizeof show);
	memset(&st, 0, sizeof st);
	e = netargs_connect(na, co->host, co->port, NK_NO_DEADLINE, &c, &info,
	                    err);
	if (e) {
		int code = tool_fail(e, err);
		if (co->json) {
			json_begin(co->host, co->port, NULL, 0);
			json_end(&st, 0, e, err);
			/* The connect failure's status wins over a failed
			 * write (which tool_flush_stdout reports). */
			tool_flush_stdout();
		}
		return code;
	}
	struct bufs *b = malloc(sizeof *b);
	if (!b) {
		nk_conn_free(c);
		return tool_fail(NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	double connect_ms = (double)(info.connected - info.start) / 1000.0;
	if (co->json)
		json_begin(co->host, co->port, c, connect_ms);
	else if (!co->quiet)
		printf("ECHO %s (%s) port %d: connected in %.3f ms\n", show,
		       nk_conn_peer_str(c), nk_conn_peer_port(c), connect_ms);

	nk_time t0 = nk_now();
	for (unsigned long long seq = 1;; seq++) {
		struct msg m = { NULL, 0, seq };
		if (co->nmsgs) {
			if (seq > co->nmsgs)
				break;
			/* Each argument goes as a line, as if typed on stdin. */
			size_t n = strlen(co->msgs[seq - 1]);
			char *p = realloc(line, n + 2);
			if (!p) {
				snprintf(err, sizeof err, "out of memory");
				fail = tool_fail(NK_ERR_OUT_OF_MEMORY, err);
				break;
			}
			line = p;
			memcpy(line, co->msgs[seq - 1], n);
			line[n] = '\n';
			m.data = line;
			m.len = n + 1;
		} else if (co->count) {
			if (seq > (unsigned long long)co->count)
				break;
			m.len = co->size;
		} else {
			ssize_t n = getline(&line, &cap, stdin);
			if (n <= 0)
				break;
			m.data = line;
			m.len = (size_t)n;
		}
		if (seq > 1 && co->interval_ms > 0) {
			struct timespec ts = { (time_t)(co->interval_ms / 1000),
			                       (long)(co->interval_ms % 1000) * 1000000L };
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
		}
		struct echo r;
		nk_time s0 = nk_now();
		st.sent++;
		e = exchange(c, &m, co->timeout_ms, b, &r, err);
		double ms = (double)(nk_now() - s0) / 1000.0;
		if (e) {
			fail = tool_fail(e, err);
			break;
		}
		record(&st, co, c, &m, &r, ms);
	}
	double total_ms = (double)(nk_now() - t0) / 1000.0;
	if (co->json)
		json_end(&st, total_ms, fail, err);
	else
		summary(&st, show, nk_conn_peer_port(c), total_ms);
	free(line);
	free(b);
	nk_conn_free(c);
	int w = tool_flush_stdout();
	if (fail)
		return fail;
	if (w)
		return w;
	return st.mismatched ? NK_ERR_ECHO_MISMATCH : 0;
}

/* Parses the arguments and runs the client or the server. pos has room
 * for argc entries. */
static int
run(int argc, char **argv, struct netargs *na, const char **pos)
{
	struct optstate os = { 1, NULL, 0 };
	struct client_opts co;
	const char *arg, *listen_spec = NULL;
	size_t npos = 0;
	int verbose = 0, size_set = 0, id;
	long max_clients = 1000, l;

	memset(&co, 0, sizeof co);
	co.size = 64;
	co.timeout_ms = 10000;
	while ((id = opt_next(&os, argc, argv, &tool, &arg)) != OPT_END) {
		switch (id) {
		case OPT_ERROR:
			return NK_ERR_FAILED_INIT;
		case OPT_ARG:
			pos[npos++] = (char *)arg;
			break;
		case O_LISTEN:
			listen_spec = arg;
			break;
		case O_TIMEOUT:
			if (tool_parse_secs(arg, "--timeout", &co.timeout_ms) != 0)
				return NK_ERR_FAILED_INIT;
			break;
		case O_INTERVAL:
			if (tool_parse_secs(arg, "--interval", &co.interval_ms) != 0)
				return NK_ERR_FAILED_INIT;
			break;
		case O_COUNT:
			if (tool_parse_long(arg, 1, 1000000000L, "--count", &co.count))
				return NK_ERR_FAILED_INIT;
			break;
		case O_SIZE:
			if (parse_size(arg, &co.size) != 0)
				return NK_ERR_FAILED_INIT;
			size_set = 1;
			break;
		case O_QUIET:
			co.quiet = 1;
			break;
		case O_JSON:
			co.json = 1;
			break;
		case O_VERBOSE:
			verbose = 1;
			break;
		case O_MAX_CLIENTS:
			if (tool_parse_long(arg, 1, 1000000L, "--max-clients",
			                    &max_clients))
				return NK_ERR_FAILED_INIT;
			break;
		default:
			if (netargs_take(na, id, arg) < 0)
				return NK_ERR_FAILED_INIT;
			break;
		}
	}
	int ne = netargs_finish(na);
	if (ne != 0)
		return ne;

	if (listen_spec) {
		if (npos) {
			tool_msg("--listen takes no HOST or MESSAGE arguments");
			return NK_ERR_FAILED_INIT;
		}
		return serve(listen_spec, na->net.family, verbose, max_clients);
	}
	if (npos < 2) {
		tool_msg("need HOST and PORT (or --listen); try --help");
		return NK_ERR_FAILED_INIT;
	}
	if (tool_parse_long(pos[1], 1, 65535, "PORT", &l) != 0)
		return NK_ERR_FAILED_INIT;
	co.host = pos[0];
	co.port = (int)l;
	co.msgs = pos + 2;
	co.nmsgs = npos - 2;
	if (co.nmsgs && (co.count || size_set)) {
		tool_msg("--count and --size generate messages; they do not mix "
		         "with MESSAGE arguments");
		return NK_ERR_FAILED_INIT;
	}
	if (size_set && !co.count)
		co.count = 1;
	return run_client(&co, na);
}

int
main(int argc, char **argv)
{
	return netargs_main(argc, argv, run);
}
