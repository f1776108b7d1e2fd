/* session: the poll loop over stdin, the connection and a signal pipe.
 *
 * Data never waits on a blocking call: the connection is read and written
 * through nk_conn_try_read / nk_conn_try_write, which say what they wait
 * for, so plain TCP and TLS share the loop (nc's readwrite() shape). Bytes
 * TLS has decrypted ahead (nk_conn_pending) are read without polling.
 *
 * End of input is a half-close: the queue drains, the server has been
 * quiet for --eof-wait, then our direction closes (FIN, or close_notify
 * and FIN) and everything the server still sends is shown until it closes,
 * -q passes, or --idle-timeout trips. The wait is there because some
 * servers (nginx) abort a reply they are still sending when they see the
 * client's FIN; a server that answers only after our EOF gets it late by
 * that much.
 *
 * A server that closes its side first (ncat --recv-only, nc -N) may still
 * read: in a pipe, the rest of the input goes to it, then our side
 * closes and the loop waits for the server to take every byte (drain.c).
 * Input the server did not take is an error that says how much, never a
 * quiet 0. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drain.h"
#include "session.h"
#include "tool.h"

/* Stop reading stdin above this much unsent data, and stop reading the
 * server above the second (only a negotiation flood from a server that
 * does not read its replies can get there). */
#define NETOUT_PAUSE (64 * 1024)
#define NETOUT_MAX   (1024 * 1024)
/* Time allowed for our half-close (TLS close_notify) to go out. */
#define SHUTDOWN_MS  10000

static int sig_wfd = -1;
/* SIGTERM or SIGHUP, for a write to stdout that blocks and is interrupted:
 * the loop cannot see the pipe until the write returns. */
static volatile sig_atomic_t term_pending;

static void
on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGTERM || sig == SIGHUP)
		term_pending = sig;
	unsigned char c = (unsigned char)sig;
	if (write(sig_wfd, &c, 1) < 0) {
		/* The pipe is full of signals already: nothing is lost that
		 * the loop would not see anyway. */
	}
	errno = saved;
}

/* Queues bytes for the server. Running out of memory for the queue ends
 * the tool on the spot, as nothing sensible can go on without it. */
static void
queue(struct session *s, const void *p, size_t n)
{
	if (nk_buf_add(&s->netout, p, n) != 0) {
		tool_msg("out of memory");
		exit(NK_ERR_OUT_OF_MEMORY);
	}
}

/* Takes the first n queued bytes off, once the connection took them. */
static void
unqueue(struct session *s, size_t n)
{
	nk_buf *b = &s->netout;
	memmove(b->p, b->p + n, b->len - n);
	nk_buf_cut(b, n);
}

void
session_finish(struct session *s, int code)
{
	if (!s->done) {
		s->done = 1;
		s->exit_code = code;
	}
}

void
session_ended(struct session *s, const char *how)
{
	if (!s->done && !s->ended)
		s->ended = how;
}

/* An error ends the session: the terminal is restored before the message. */
static void
fail(struct session *s, nk_err e, const char *errmsg)
{
	if (!s->done && !s->end_err) {
		session_ended(s, "error");
		s->end_err = e;
		snprintf(s->end_msg, sizeof s->end_msg, "%s", errmsg);
	}
	if (s->ui)
		s->ui->stop(s);
	session_finish(s, tool_fail(e, errmsg));
}

void
session_end_by_signal(struct session *s, int sig)
{
	session_ended(s, "signal");
	s->term_signal = sig;
	if (s->ui)
		s->ui->stop(s);
	session_finish(s, 128 + sig);
}

void
session_status(struct session *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!s->ui && s->verbose < 1)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (s->ui) {
		s->ui->message(s, line);
	} else {
		fflush(stdout);
		fprintf(stderr, "%s\n", line);
	}
}

/* Writes all of p to stdout. A reader that went away (EPIPE) ends the
 * session quietly with 0, as nc stops quietly when its output closes;
 * other write errors are reported and exit with 23. */
static void
write_out(struct session *s, const void *p, size_t n)
{
	const char *q = p;
	while (n > 0 && !s->done) {
		ssize_t w = write(STDOUT_FILENO, q, n);
		if (w > 0) {
			q += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR) {
			if (term_pending) {
				session_end_by_signal(s, term_pending);
				return;
			}
			continue;
		}
		if (w < 0 && errno == EPIPE) {
			session_ended(s, "output-closed");
			session_finish(s, 0);
			return;
		}
		char msg[NK_ERR_MSG_LEN];
		snprintf(msg, sizeof msg, "writing output: %s",
		         w < 0 ? strerror(errno) : "no progress");
		fail(s, NK_ERR_WRITE_ERROR, msg);
	}
}

/* Server data for the user. */
static void
show(struct session *s, const unsigned char *p, size_t n)
{
	if (n == 0)
		return;
	if (s->ui) {
		s->ui->output(s, s->esc, safe_text(&s->safe, p, n, s->esc));
	} else if (s->escape_output) {
		write_out(s, s->esc, safe_text(&s->safe, p, n, s->esc));
	} else {
		write_out(s, p, n);
	}
}

static void
trace(struct session *s, const nk_telnet_event *ev)
{
	const char *cmd = nk_telnet_cmd_name(ev->cmd);
	const char *opt = nk_telnet_opt_name(ev->opt);
	char optnum[8];
	if (!opt) {
		snprintf(optnum, sizeof optnum, "%u", ev->opt);
		opt = optnum;
	}
	switch (ev->type) {
	case NK_TELNET_EV_RECV:
		session_status(s, "RCVD %s %s", cmd, opt);
		break;
	case NK_TELNET_EV_SEND:
		session_status(s, "SENT %s %s", cmd, opt);
		break;
	case NK_TELNET_EV_OPTION:
		session_status(s, "%s %s is %s", ev->remote ? "server" : "our",
		               opt, ev->on ? "on" : "off");
		break;
	case NK_TELNET_EV_SB_RECV:
		session_status(s, "RCVD SB %s", opt);
		break;
	case NK_TELNET_EV_SB_SEND:
		session_status(s, "SENT SB %s", opt);
		break;
	case NK_TELNET_EV_SB_DROPPED:
		session_status(s, "RCVD SB %s: too long or broken, ignored", opt);
		break;
	case NK_TELNET_EV_COMMAND:
		if (cmd)
			session_status(s, "RCVD %s", cmd);
		else
			session_status(s, "RCVD IAC %u", ev->cmd);
		break;
	case NK_TELNET_EV_START:
		session_status(s, "The server speaks telnet: negotiating.");
		break;
	}
}

/* Moves the machine's replies into the send queue, in order, and acts on
 * what it reports. */
static void
take_telnet(struct session *s)
{
	if (!s->tn)
		return;
	for (;;) {
		size_t n;
		const unsigned char *p = nk_telnet_output(s->tn, &n);
		nk_telnet_event ev;
		int moved = 0;
		if (n) {
			/* After our half-close nothing can be sent: the
			 * server's late negotiation goes unanswered. */
			if (!s->wr_shut)
				queue(s, p, n);
			nk_telnet_output_done(s->tn, n);
			moved = 1;
		}
		while (nk_telnet_next_event(s->tn, &ev)) {
			moved = 1;
			if (s->verbose >= 2)
				trace(s, &ev);
			if (ev.type == NK_TELNET_EV_OPTION && ev.remote &&
			    (ev.opt == NK_TELNET_OPT_ECHO ||
			     ev.opt == NK_TELNET_OPT_SGA) && s->ui)
				s->ui->modes(s);
		}
		if (!moved)
			return;
	}
}

/* Bytes from the server: through the telnet machine when there is one. */
static void
got(struct session *s, const unsigned char *p, size_t n)
{
	if (!s->tn) {
		show(s, p, n);
		return;
	}
	while (n > 0 && !s->done) {
		size_t nd, used = nk_telnet_recv(s->tn, p, n, s->dbuf, &nd);
		show(s, s->dbuf, nd);
		take_telnet(s);
		p += used;
		n -= used;
	}
}

void
session_send_raw(struct session *s, const void *p, size_t n)
{
	queue(s, p, n);
}

void
session_send(struct session *s, const void *p, size_t n)
{
	if (!s->tn) {
		queue(s, p, n);
		return;
	}
	/* Encoded a piece at a time: the machine keeps what it needs (a
	 * CR at the end of one piece) between calls. */
	const unsigned char *in = p;
	unsigned char o[2 * 1024];
	while (n > 0) {
		size_t k = n < sizeof o / 2 ? n : sizeof o / 2;
		queue(s, o, nk_telnet_encode(s->tn, in, k, o));
		in += k;
		n -= k;
	}
}

void
session_end_input(struct session *s)
{
	if (s->stdin_eof)
		return;
	s->stdin_eof = 1;
	if (s->tn) {
		unsigned char o[1];
		queue(s, o, nk_telnet_encode_end(s->tn, o));
	}
}

/* Input the server will not get ends the session with status e (55 for
 * a failed send, 56 for a reset seen reading), saying how much. */
static void
input_lost(struct session *s, nk_err e, const char *why, uint64_t kernel_left)
{
	char msg[NK_ERR_MSG_LEN];
	drain_lost_msg(msg, sizeof msg, why, s->netout.len + kernel_left,
	               !s->stdin_eof && !s->ui);
	fail(s, e, msg);
}

/* The server closed its side: show the rest and say so. */
static void
peer_closed(struct session *s)
{
	if (s->tn) {
		unsigned char b[1];
		show(s, b, nk_telnet_recv_end(s->tn, b));
	}
	if (s->ui) {
		size_t n = safe_end(&s->safe, s->esc);
		if (n)
			s->ui->output(s, s->esc, n);
		s->ui->stop(s);
	} else if (s->escape_output) {
		write_out(s, s->esc, safe_end(&s->safe, s->esc));
	}
	int unclean = s->tls && nk_tls_conn_unclean_eof(s->conn);
	if (unclean)
		session_status(s, "The server closed TCP without a TLS "
		               "close_notify: what came last may be cut short.");
	/* TLS allows nothing more after that (OpenSSL has sent its alert,
	 * so the send queue no longer tells our input's fate): input known
	 * to be left is lost, and said; otherwise it ends as it did. */
	char msg[NK_ERR_MSG_LEN];
	if (unclean && !s->ui && !s->we_closed_first &&
	    drain_lost_msg(msg, sizeof msg, "the server closed the TLS "
	                   "session", s->netout.len, !s->stdin_eof) > 0) {
		fail(s, NK_ERR_SEND_ERROR, msg);
		return;
	}
	if (s->we_closed_first) {
		session_status(s, "Connection closed by foreign host, after "
		               "our end of input.");
	} else if (!s->ui && !unclean) {
		/* It may still read (a half-close): the input goes on, and
		 * our EOF follows it without waiting for quiet. */
		if (s->stdin_eof && !s->netout.len)
			session_status(s, "Connection closed by foreign host.");
		else
			session_status(s, "The server closed its side; still "
			               "sending our input.");
		s->peer_eof = 1;
		s->rwant = 0;
		s->eof_at = 0;
		return;
	} else {
		session_status(s, "Connection closed by foreign host.");
	}
	session_ended(s, "server-closed");
	session_finish(s, 0);
}

/* --hexdump and -o: a log that cannot be written ends the session (23). */
static int
log_data(struct session *s, int dir, const void *p, size_t n)
{
	char msg[NK_ERR_MSG_LEN];
	if (!s->log || sesslog_data(s->log, dir, p, n, msg) == 0)
		return 0;
	fail(s, NK_ERR_WRITE_ERROR, msg);
	return -1;
}

static void
read_net(struct session *s)
{
	/* A bounded number of reads, so stdin and signals get their turn
	 * even when the server sends without pause; at a terminal one, so
	 * the escape character is seen after at most one buffer's output. */
	int reads = s->ui ? 1 : 16;
	for (int i = 0; i < reads && !s->done && !s->hold_net; i++) {
		size_t n;
		int want;
		char err[NK_ERR_MSG_LEN] = "";
		nk_err e = nk_conn_try_read(s->conn, s->rbuf, sizeof s->rbuf, &n,
		                            &want, err);
		/* A reset with input still to go: say how much is lost. */
		if (e == NK_ERR_RECV_ERROR && !s->ui &&
		    (!s->stdin_eof || s->netout.len)) {
			input_lost(s, e, err, 0);
			return;
		}
		if (e) {
			fail(s, e, err);
			return;
		}
		if (n == 0) {
			if (want) {
				s->rwant = want;
				return;
			}
			peer_closed(s);
			return;
		}
		s->rwant = NK_WANT_READ;
		if (log_data(s, LOG_RECEIVED, s->rbuf, n) != 0)
			return;
		if (s->idle_ms)
			s->idle_at = nk_now() + s->idle_ms * 1000;
		got(s, s->rbuf, n);
		/* After got: a long blocked write to stdout is no quiet. */
		if (s->eof_at)
			s->eof_at = nk_now() + s->eof_wait_ms * 1000;
		if (s->netout.len >= NETOUT_MAX)
			return;
	}
}

static void
flush_net(struct session *s)
{
	while (s->netout.len > 0 && !s->done) {
		size_t n;
		int want;
		char err[NK_ERR_MSG_LEN] = "";
		nk_err e = nk_conn_try_write(s->conn, s->netout.p, s->netout.len,
		                             &n, &want, err);
		if (e == NK_ERR_SEND_ERROR) {
			input_lost(s, e, err, 0);
			return;
		}
		if (e) {
			fail(s, e, err);
			return;
		}
		if (n == 0) {
			s->wwant = want ? want : NK_WANT_WRITE;
			return;
		}
		if (log_data(s, LOG_SENT, s->netout.p, n) != 0)
			return;
		unqueue(s, n);
	}
	s->wwant = 0;
}

static void signals(struct session *s);

/* The server closed its side first and our input has all gone out: 0
 * once it has taken every byte (then our side closes). What our kernel
 * took may still be in flight: a server that closed for good resets the
 * connection instead of taking it. */
static int
confirm_delivery(struct session *s)
{
	while (!s->done) {
		uint64_t left;
		int err;
		int r = drain_wait(nk_conn_fd(s->conn), s->sigpipe[0],
		                   SHUTDOWN_MS, &left, &err);
		if (r == 1) {
			signals(s);
			continue;
		}
		if (r == 0)
			return 0;
		char to[160], why[NK_ERR_MSG_LEN];
		int port = nk_conn_peer_port(s->conn);
		if (port > 0)
			snprintf(to, sizeof to, "%s port %d",
			         nk_conn_peer_str(s->conn), port);
		else
			snprintf(to, sizeof to, "%s", s->host);
		if (err)
			snprintf(why, sizeof why, "send to %s: %s", to,
			         strerror(err));
		else
			snprintf(why, sizeof why, "send to %s: nothing taken for "
			         "%d s after it closed its side", to,
			         SHUTDOWN_MS / 1000);
		input_lost(s, NK_ERR_SEND_ERROR, why, left);
	}
	return -1;
}

static void
half_close(struct session *s)
{
	char err[NK_ERR_MSG_LEN] = "";
	if (s->peer_eof && confirm_delivery(s) != 0)
		return;
	nk_err e = nk_conn_shutdown(s->conn, nk_deadline_in_ms(SHUTDOWN_MS), err);
	if (e) {
		fail(s, e, err);
		return;
	}
	s->wr_shut = 1;
	if (s->peer_eof) {
		session_status(s, "Sent all our input; connection closed.");
		session_ended(s, "server-closed");
		session_finish(s, 0);
		return;
	}
	s->we_closed_first = 1;
	session_status(s, "Sent %s to %s; still reading what it sends.",
	               s->tls ? "close_notify and EOF" : "EOF", s->host);
	/* -q counts from here, once every byte has gone: counted from the
	 * end of input, a slow server would lose what is still queued. */
	if (s->quit_ms > 0)
		s->quit_at = nk_now() + s->quit_ms * 1000;
	if (s->quit_ms == 0) {
		session_status(s, "Quitting at end of input (-q 0).");
		session_ended(s, "quit");
		session_finish(s, 0);
	}
}

/* -C: each LF not already after a CR goes out as CR LF, as in ncat (a
 * CR ending one read counts for an LF starting the next). */
static void
send_crlf(struct session *s, const unsigned char *b, size_t n)
{
	unsigned char o[2 * 4096];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\n' && !s->last_cr)
			o[k++] = '\r';
		o[k++] = b[i];
		s->last_cr = b[i] == '\r';
		if (k >= sizeof o - 1) {
			session_send(s, o, k);
			k = 0;
		}
	}
	session_send(s, o, k);
}

static void
read_stdin(struct session *s)
{
	unsigned char b[16384];
	ssize_t n = read(STDIN_FILENO, b, sizeof b);
	if (n > 0) {
		if (!s->wr_shut && s->crlf)
			send_crlf(s, b, (size_t)n);
		else if (!s->wr_shut)
			session_send(s, b, (size_t)n);
	} else if (n == 0) {
		session_end_input(s);
	} else if (errno != EINTR && errno != EAGAIN) {
		char msg[NK_ERR_MSG_LEN];
		snprintf(msg, sizeof msg, "reading standard input: %s",
		         strerror(errno));
		fail(s, NK_ERR_READ_ERROR, msg);
	}
}

static void
take_keys(struct session *s)
{
	/* Typing (or piped input) is activity too. */
	if (s->idle_ms)
		s->idle_at = nk_now() + s->idle_ms * 1000;
	if (s->ui)
		s->ui->input(s);
	else
		read_stdin(s);
}

static void
signals(struct session *s)
{
	unsigned char b[64];
	ssize_t n = read(s->sigpipe[0], b, sizeof b);
	for (ssize_t i = 0; i < n; i++) {
		int sig = b[i];
		if (sig == SIGTERM || sig == SIGHUP)
			session_end_by_signal(s, sig);
		else if (s->ui)
			s->ui->signal(s, sig);
	}
}

static int
setup_signals(struct session *s)
{
	if (pipe2(s->sigpipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		tool_msg("pipe: %s", strerror(errno));
		return -1;
	}
	sig_wfd = s->sigpipe[1];
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking write to stdout must see the signal. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (s->ui) {
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGWINCH, &sa, NULL);
		sigaction(SIGTSTP, &sa, NULL);
	}
	return 0;
}

int
session_run(struct session *s)
{
	if (setup_signals(s) != 0)
		return NK_ERR_FAILED_INIT;
	s->esc = malloc(SAFE_MAX(sizeof s->dbuf));
	if (!s->esc) {
		tool_msg("out of memory");
		return NK_ERR_OUT_OF_MEMORY;
	}
	s->rwant = NK_WANT_READ;
	s->quit_at = 0;
	if (s->idle_ms)
		s->idle_at = nk_now() + s->idle_ms * 1000;
	if (s->ui && s->ui->start(s) != 0)
		return NK_ERR_FAILED_INIT;

	while (!s->done) {
		take_telnet(s);
		flush_net(s);
		if (s->done)
			break;
		if (s->stdin_eof && !s->wr_shut && s->netout.len == 0 &&
		    !s->eof_at) {
			/* -q 0 quits at the end of input: no point waiting;
			 * nor for a server that has closed its side. */
			if (s->eof_wait_ms == 0 || s->quit_ms == 0 ||
			    s->peer_eof)
				half_close(s);
			else
				s->eof_at = nk_now() + s->eof_wait_ms * 1000;
			if (s->done)
				break;
		}

		/* Reading from the server pauses while a flood of replies
		 * waits to go out; what it waits for depends on TLS. */
		int reading = s->netout.len < NETOUT_MAX && !s->hold_net &&
		              !s->peer_eof;
		int want = (reading ? s->rwant : 0) |
		           (s->netout.len ? s->wwant : 0);
		struct pollfd p[3] = {
			{ -1, POLLIN, 0 },
			{ nk_conn_fd(s->conn), 0, 0 },
			{ s->sigpipe[0], POLLIN, 0 },
		};
		if (s->ui || (!s->stdin_eof &&
		                       s->netout.len < NETOUT_PAUSE))
			p[0].fd = STDIN_FILENO;
		if (want & NK_WANT_READ)
			p[1].events |= POLLIN;
		if (want & NK_WANT_WRITE)
			p[1].events |= POLLOUT;
		/* A reset while the UI holds the server's data would report
		 * POLLHUP at once, again and again: it waits too. */
		if ((s->hold_net || s->peer_eof) && !p[1].events)
			p[1].fd = -1;

		nk_time deadline = nk_deadline_min(s->quit_at, s->idle_at);
		if (!s->wr_shut)
			deadline = nk_deadline_min(deadline, s->eof_at);
		int ms = deadline ? nk_deadline_poll_ms(deadline) : -1;
		int pending = reading && nk_conn_pending(s->conn) > 0;
		if (pending)
			ms = 0;
		int r = poll(p, 3, ms);
		if (r < 0 && errno != EINTR) {
			tool_msg("poll: %s", strerror(errno));
			session_finish(s, NK_ERR_FAILED_INIT);
			break;
		}
		if (r > 0 && p[2].revents)
			signals(s);
		int typed = r > 0 && p[0].fd >= 0 && p[0].revents;
		/* At a terminal the keys go first: the escape character
		 * stops the server's output before more of it is shown. */
		if (!s->done && typed && s->ui)
			take_keys(s);
		if (!s->done && !s->peer_eof &&
		    (pending || (r > 0 && p[1].revents)))
			read_net(s);
		if (!s->done && typed && !s->ui)
			take_keys(s);
		nk_time now = nk_now();
		if (!s->done && !s->wr_shut && s->eof_at && now >= s->eof_at)
			half_close(s);
		if (!s->done && s->quit_at && now >= s->quit_at) {
			if (s->ui)
				s->ui->stop(s);
			session_status(s, "Quitting %.3g s after end of input (-q).",
			               (double)s->quit_ms / 1000);
			session_ended(s, "quit");
			session_finish(s, 0);
		}
		if (!s->done && s->idle_at && now >= s->idle_at) {
			char msg[NK_ERR_MSG_LEN];
			snprintf(msg, sizeof msg, "no data either way for %.3g s "
			         "(%s)", (double)s->idle_ms / 1000,
			         s->idle_opt ? s->idle_opt : "--idle-timeout");
			session_ended(s, "idle-timeout");
			fail(s, NK_ERR_OPERATION_TIMEDOUT, msg);
		}
	}
	if (s->ui)
		s->ui->stop(s);
	nk_buf_free(&s->netout);
	free(s->esc);
	/* The loop may run again (-l --keep-open): nothing left open. */
	sig_wfd = -1;
	close(s->sigpipe[0]);
	close(s->sigpipe[1]);
	return s->exit_code;
}

/* Appends ", name" (or the first name) to a list that has room. */
static void
add_name(char *list, size_t size, const char *name)
{
	size_t len = strlen(list);
	snprintf(list + len, size - len, "%s%s", len ? ", " : "", name);
}

void
session_report(struct session *s)
{
	double secs = (double)(nk_now() - s->start) / 1e6;
	session_status(s, "Connected to %s (%s) port %d for %.1f s.", s->host,
	               nk_conn_peer_str(s->conn), nk_conn_peer_port(s->conn),
	               secs);
	session_status(s, "Sent %llu bytes, received %llu bytes.",
	               (unsigned long long)nk_conn_bytes_out(s->conn),
	               (unsigned long long)nk_conn_bytes_in(s->conn));
	if (s->tls) {
		/* Only a listener's peer (a client) may send no certificate. */
		if (!s->tls->sent)
			session_status(s, "TLS: %s, %s; no client certificate.",
			               s->tls->version, s->tls->cipher);
		else if (s->tls->verify_ok)
			session_status(s, "TLS: %s, %s; certificate verified.",
			               s->tls->version, s->tls->cipher);
		else
			session_status(s, "TLS: %s, %s; certificate NOT verified "
			               "(--insecure): %s.", s->tls->version,
			               s->tls->cipher, s->tls->verify_reason);
	}
	if (!s->tn) {
		session_status(s, "Telnet: off (--raw).");
	} else if (!nk_telnet_active(s->tn)) {
		session_status(s, "Telnet: the server has not negotiated; bytes "
		               "pass unchanged.");
	} else {
		char srv[256] = "", ours[256] = "";
		for (int o = 0; o < 256; o++) {
			const char *name = nk_telnet_opt_name(o);
			if (name && nk_telnet_enabled(s->tn, 1, o))
				add_name(srv, sizeof srv, name);
			if (name && nk_telnet_enabled(s->tn, 0, o))
				add_name(ours, sizeof ours, name);
		}
		session_status(s, "Telnet: the server does %s; we do %s.",
		               *srv ? srv : "nothing", *ours ? ours : "nothing");
	}
	if (s->char_mode)
		session_status(s, "Character at a time: each key goes as typed, "
		               "Enter as CR%s.",
		               nk_telnet_enabled(s->tn, 0, NK_TELNET_OPT_BINARY)
		               ? "" : " NUL");
	else
		session_status(s, "Lines end with %s.", s->lf ? "LF" : "CR LF");
	if (s->wr_shut)
		session_status(s, "Our side is closed (EOF sent); reading only.");
}
