/* ws_loop: a WebSocket session's poll loop over stdin and the connection:
 * each line typed or piped one text message (-b: each line or chunk one
 * binary message), each message received shown (made terminal-safe at a
 * terminal), pings answered, --ping's round trips timed, and the closing
 * handshake both ways. A peer that breaks the protocol gets the close
 * code of nk_ws_rx_feed's verdict before nk ends with one line. */
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nk/text.h"
#include "lineedit.h"
#include "tool.h"
#include "ws.h"

/* How long the server has to answer our close before nk gives up. */
#define WS_CLOSE_WAIT_MS 3000
/* Past this many bytes queued for the server, stdin waits. */
#define WS_OUT_HIGH (1024 * 1024)

static volatile sig_atomic_t got_signal;
static struct wsess *G;         /* the line editor's callbacks reach it */

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
finish(struct wsess *w, int code)
{
	if (!w->done) {
		w->done = 1;
		w->code = code;
	}
}

static void
out_begin(const struct wsess *w)
{
	if (w->tty)
		le_hide();
}

static void
out_end(const struct wsess *w)
{
	if (w->tty)
		le_show("");
}

/* A one-line message on stderr, clear of the editor's line. */
static void
say(struct wsess *w, const char *fmt, const char *s, size_t n, int code)
{
	char shown[256];
	nk_text_escape_to(shown, sizeof shown, s, n, 0);
	out_begin(w);
	fprintf(stderr, fmt, code, shown);
	fputc('\n', stderr);
	out_end(w);
}

static int
write_all(struct wsess *w, const void *p, size_t n)
{
	if (tool_write_all(STDOUT_FILENO, p, n) == 0)
		return 0;
	/* A reader that went away ends the session quietly. */
	if (errno == EPIPE)
		finish(w, 0);
	else
		finish(w, tool_failf(NK_ERR_WRITE_ERROR, "writing output: %s",
		                     errno ? strerror(errno) : "no progress"));
	return -1;
}

static void
log_data(struct wsess *w, int dir, const void *p, size_t n)
{
	char msg[NK_ERR_MSG_LEN];
	if (sesslog_data(w->a->log, dir, p, n, msg) != 0)
		finish(w, tool_fail(NK_ERR_WRITE_ERROR, msg));
}

static void
queue(struct wsess *w, int fin, int op, const void *p, size_t n)
{
	unsigned char mask[4];
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_ws_random(mask, sizeof mask, err);
	if (!e)
		e = nk_ws_frame(&w->out, fin, op, p, n, mask, err);
	if (e)
		finish(w, tool_fail(e, err));
}

static void
send_close(struct wsess *w, int code, const char *reason)
{
	unsigned char p[2 + 64];
	size_t n = 0;
	if (code != NK_WS_CLOSE_NO_STATUS) {
		p[0] = (unsigned char)(code >> 8);
		p[1] = (unsigned char)code;
		n = strlen(reason);
		memcpy(p + 2, reason, n);
		n += 2;
	}
	queue(w, 1, NK_WS_CLOSE, p, n);
	w->close_sent = 1;
	w->close_by = nk_now() + WS_CLOSE_WAIT_MS * (nk_time)1000;
}

/* One message from the user. */
static void
send_message(struct wsess *w, const char *p, size_t n)
{
	if (!w->a->binary && nk_utf8_valid(p, n) != n) {
		finish(w, tool_failf(NK_ERR_READ_ERROR, "input is not UTF-8 "
		                     "text: use -b to send it as binary"));
		return;
	}
	queue(w, 1, w->a->binary ? NK_WS_BINARY : NK_WS_TEXT, p, n);
	log_data(w, LOG_SENT, p, n);
	w->sent_one = 1;
	w->last = nk_now();
}

static void
end_input(struct wsess *w)
{
	w->stdin_eof = 1;
	w->eof_at = nk_now();
}

/* The editor finished a line (NULL: Ctrl-D on an empty line). */
static void
on_line(char *line)
{
	if (!line) {
		end_input(G);
		return;
	}
	if (*line)
		le_history_add(line);
	if (!G->close_sent && !(G->a->one && G->sent_one))
		send_message(G, line, strlen(line));
	free(line);
}

static int
tty_getc(FILE *f)
{
	unsigned char c;
	(void)f;
	return read(STDIN_FILENO, &c, 1) == 1 ? c : EOF;
}

/* Each whole line of w->in one message (its LF left out); at EOF, what
 * is left too. -1 sends only the first. */
static void
send_lines(struct wsess *w, int eof)
{
	size_t off = 0;
	while (!w->done && !(w->a->one && w->sent_one)) {
		char *nl = memchr(w->in.p + off, '\n', w->in.len - off);
		size_t len = nl ? (size_t)(nl - (w->in.p + off)) : w->in.len - off;
		if (!nl && (!eof || len == 0))
			break;
		send_message(w, w->in.p + off, len);
		off += len + (nl != NULL);
	}
	memmove(w->in.p, w->in.p + off, w->in.len - off);
	w->in.len -= off;
}

static void
pipe_input(struct wsess *w)
{
	char buf[65536];
	ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
	if (r < 0) {
		if (errno != EINTR && errno != EAGAIN)
			finish(w, tool_failf(NK_ERR_READ_ERROR, "reading input: %s",
			                     strerror(errno)));
		return;
	}
	if (w->a->binary) {
		if (r > 0)
			send_message(w, buf, (size_t)r);
	} else if (nk_buf_add(&w->in, buf, (size_t)r) != 0) {
		finish(w, tool_failf(NK_ERR_OUT_OF_MEMORY, "out of memory"));
		return;
	} else {
		send_lines(w, r == 0);
	}
	if (r == 0 || (w->a->one && w->sent_one))
		end_input(w);
}

/* --ws-hex: a binary message as --hexdump's lines (offsets from the
 * message's start), in pieces so a large one needs no large buffer. */
static void
show_hex(struct wsess *w, const nk_ws_event *ev)
{
	char buf[HEXDUMP_MAX(1024)];
	out_begin(w);
	for (size_t i = 0; i < ev->len; i += 1024) {
		size_t k = ev->len - i < 1024 ? ev->len - i : 1024;
		size_t len = hexdump_lines(ev->data + i, k, i, buf);
		if (write_all(w, buf, len) != 0)
			break;
	}
	out_end(w);
}

static void
show_message(struct wsess *w, const nk_ws_event *ev)
{
	w->got_one = 1;
	log_data(w, LOG_RECEIVED, ev->data, ev->len);
	if (ev->opcode == NK_WS_BINARY && w->a->hex) {
		show_hex(w, ev);
		return;
	}
	if (!w->escape) {
		if (write_all(w, ev->data, ev->len) == 0 && ev->opcode == NK_WS_TEXT)
			write_all(w, "\n", 1);
		return;
	}
	nk_buf b = NK_BUF_INIT(0);
	if (ev->opcode == NK_WS_BINARY || w->a->raw_output) {
		if (w->a->raw_output)
			nk_buf_add(&b, ev->data, ev->len);
		else
			nk_text_escape(&b, (const char *)ev->data, ev->len,
			               NK_TEXT_TAB);
	} else if (nk_buf_reserve(&b, SAFE_MAX(ev->len) + SAFE_MAX(1)) == 0) {
		b.len = safe_text(&w->safe, ev->data, ev->len, b.p);
		b.len += safe_end(&w->safe, b.p + b.len);
	}
	nk_buf_addc(&b, '\n');
	if (b.err) {
		finish(w, tool_failf(NK_ERR_OUT_OF_MEMORY, "out of memory"));
	} else {
		out_begin(w);
		write_all(w, b.p, b.len);
		out_end(w);
	}
	nk_buf_free(&b);
}

static void
on_pong(struct wsess *w, const nk_ws_event *ev)
{
	char want[32];
	int n = snprintf(want, sizeof want, "nk %llu",
	                 (unsigned long long)w->ping_seq);
	if (!w->ping_sent || ev->len != (size_t)n ||
	    memcmp(ev->data, want, (size_t)n) != 0)
		return;
	nk_time rtt = nk_now() - w->ping_sent;
	w->ping_sent = 0;
	out_begin(w);
	fprintf(stderr, "pong: %lld.%03lld ms\n", (long long)(rtt / 1000),
	        (long long)(rtt % 1000));
	out_end(w);
}

static void
on_close(struct wsess *w, const nk_ws_event *ev)
{
	int normal = ev->close_code == NK_WS_CLOSE_NORMAL ||
	             ev->close_code == NK_WS_CLOSE_NO_STATUS;
	w->close_got = 1;
	if (!normal || w->a->verbose || w->tty)
		say(w, ev->len ? "WebSocket closed by the server: %d %s" :
		    "WebSocket closed by the server: %d%s",
		    (const char *)ev->data, ev->len, ev->close_code);
	if (!w->close_sent)
		send_close(w, ev->close_code, "");
}

static void
on_event(struct wsess *w, const nk_ws_event *ev)
{
	switch (ev->opcode) {
	case NK_WS_TEXT:
	case NK_WS_BINARY:
		w->last = w->last_in = nk_now();
		show_message(w, ev);
		break;
	case NK_WS_PING:
		if (!w->close_sent)
			queue(w, 1, NK_WS_PONG, ev->data, ev->len);
		break;
	case NK_WS_PONG:
		on_pong(w, ev);
		break;
	case NK_WS_CLOSE:
		on_close(w, ev);
		break;
	}
}

/* The server broke the protocol: our close with its code, sent as far as
 * a second allows, then nk ends with the error. */
static void
protocol_fail(struct wsess *w, nk_err e, const char *err)
{
	char ignored[NK_ERR_MSG_LEN];
	if (!w->close_sent) {
		send_close(w, w->rx.fail_code, "");
		(void)nk_conn_write(w->conn, w->out.p + w->outoff,
		                    w->out.len - w->outoff, nk_deadline_in_ms(1000),
		                    ignored);
	}
	finish(w, tool_fail(e, err));
}

static void
feed(struct wsess *w, const unsigned char *p, size_t n)
{
	char err[NK_ERR_MSG_LEN] = "";
	while (n > 0 && !w->done) {
		nk_ws_event ev;
		size_t used;
		nk_err e = nk_ws_rx_feed(&w->rx, p, n, &used, &ev, err);
		if (e) {
			protocol_fail(w, e, err);
			return;
		}
		on_event(w, &ev);
		p += used;
		n -= used;
	}
}

static void
read_conn(struct wsess *w)
{
	char err[NK_ERR_MSG_LEN] = "";
	for (int i = 0; i < 16 && !w->done; i++) {
		size_t n;
		int want;
		nk_err e = nk_conn_try_read(w->conn, w->rbuf, sizeof w->rbuf, &n,
		                            &want, err);
		if (e) {
			finish(w, tool_fail(e, err));
			return;
		}
		if (n == 0 && want) {
			w->rwant = want;
			return;
		}
		if (n == 0) {
			if (!w->close_got)
				finish(w, tool_failf(NK_ERR_RECV_ERROR, "the server "
				                     "closed the connection without a "
				                     "WebSocket close (1006)"));
			finish(w, 0);
			return;
		}
		w->rwant = 0;
		feed(w, w->rbuf, n);
	}
}

static void
write_conn(struct wsess *w)
{
	char err[NK_ERR_MSG_LEN] = "";
	w->wwant = 0;
	while (w->outoff < w->out.len) {
		size_t n;
		nk_err e = nk_conn_try_write(w->conn, w->out.p + w->outoff,
		                             w->out.len - w->outoff, &n,
		                             &w->wwant, err);
		if (e) {
			finish(w, tool_fail(e, err));
			return;
		}
		if (n == 0)
			return;
		w->outoff += n;
	}
	nk_buf_clear(&w->out);
	w->outoff = 0;
}

/* When our close goes, once input has ended: -q after the end, else
 * when the server has been quiet for --eof-wait. */
static nk_time
close_time(const struct wsess *w)
{
	if (w->a->quit_ms >= 0)
		return w->eof_at + w->a->quit_ms * 1000;
	nk_time from = w->last_in > w->eof_at ? w->last_in : w->eof_at;
	return from + w->a->eof_wait_ms * 1000;
}

/* What the clock decides: our close after the input (and -q, and -1's
 * message), the server's close overdue, -w, --ping. */
static void
timers(struct wsess *w)
{
	const struct ws_args *a = w->a;
	nk_time now = nk_now();
	int one_done = a->one && w->got_one && (w->sent_one || w->stdin_eof);
	int input_done = w->stdin_eof && !a->one && now >= close_time(w);
	if (!w->close_sent && (one_done || input_done))
		send_close(w, NK_WS_CLOSE_NORMAL, "");
	if (w->close_sent && !w->close_got && now >= w->close_by)
		finish(w, tool_failf(NK_ERR_OPERATION_TIMEDOUT, "no WebSocket "
		                     "close from the server within %d s",
		                     WS_CLOSE_WAIT_MS / 1000));
	if (a->idle_ms > 0 && now >= w->last + a->idle_ms * 1000)
		finish(w, tool_failf(NK_ERR_OPERATION_TIMEDOUT, "no message "
		                     "either way for %lld s",
		                     (long long)(a->idle_ms / 1000)));
	if (a->ping_ms > 0 && !w->close_sent && now >= w->next_ping) {
		char p[32];
		int n = snprintf(p, sizeof p, "nk %llu",
		                 (unsigned long long)++w->ping_seq);
		queue(w, 1, NK_WS_PING, p, (size_t)n);
		w->ping_sent = now;
		w->next_ping = now + a->ping_ms * 1000;
	}
}

static int
poll_timeout(const struct wsess *w)
{
	const struct ws_args *a = w->a;
	nk_time d = NK_NO_DEADLINE;
	if (w->close_sent && !w->close_got)
		d = w->close_by;
	if (w->stdin_eof && !w->close_sent && !a->one)
		d = close_time(w);
	if (a->idle_ms > 0 && (d == NK_NO_DEADLINE || w->last + a->idle_ms *
	                       1000 < d))
		d = w->last + a->idle_ms * 1000;
	if (a->ping_ms > 0 && !w->close_sent && (d == NK_NO_DEADLINE ||
	                                         w->next_ping < d))
		d = w->next_ping;
	if (d == NK_NO_DEADLINE)
		return -1;
	nk_time left = d - nk_now();
	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/* One pass: wait for stdin, the conn or a timer, then act. */
static void
step(struct wsess *w)
{
	struct pollfd pf[2];
	int want_in = !w->stdin_eof && !w->close_sent &&
	              w->out.len - w->outoff < WS_OUT_HIGH;
	pf[0].fd = want_in ? STDIN_FILENO : -1;
	pf[0].events = POLLIN;
	pf[1].fd = nk_conn_fd(w->conn);
	pf[1].events = POLLIN;
	if (w->outoff < w->out.len || (w->rwant & NK_WANT_WRITE))
		pf[1].events |= POLLOUT;
	int timeout = nk_conn_pending(w->conn) ? 0 : poll_timeout(w);
	int r = poll(pf, 2, timeout);
	if (r < 0 && errno != EINTR) {
		finish(w, tool_failf(NK_ERR_RECV_ERROR, "poll: %s",
		                     strerror(errno)));
		return;
	}
	if (got_signal)
		return;
	if (r > 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
		if (w->tty)
			le_read_char();
		else
			pipe_input(w);
	}
	if (!w->done && (nk_conn_pending(w->conn) ||
	                 (r > 0 && pf[1].revents)))
		read_conn(w);
	if (!w->done)
		timers(w);
	if (!w->done && w->outoff < w->out.len)
		write_conn(w);
	/* Both closes are through: the server may keep the TCP open. */
	if (w->close_sent && w->close_got && w->outoff == w->out.len)
		finish(w, 0);
}

/* Without SA_RESTART, so that poll returns; the loop then restores the
 * terminal before the signal ends nk. */
static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

int
ws_loop(struct wsess *w, const unsigned char *start, size_t n)
{
	const struct ws_args *a = w->a;
	w->rx.client = 1;
	w->rx.max_message = a->max_message;
	w->escape = isatty(STDOUT_FILENO);
	w->safe.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	w->last = nk_now();
	w->next_ping = w->last + a->ping_ms * 1000;
	G = w;
	catch_signals();
	if (isatty(STDIN_FILENO) && w->escape) {
		if (le_start(tty_getc, on_line, NULL) != 0)
			return tool_failf(NK_ERR_FAILED_INIT, "cannot start the line "
			                  "editor");
		w->tty = 1;
	}
	feed(w, start, n);
	while (!w->done && !got_signal)
		step(w);
	if (w->tty)
		le_stop();
	if (got_signal) {
		signal(got_signal, SIG_DFL);
		raise(got_signal);
	}
	return w->code;
}
