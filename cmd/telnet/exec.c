/* exec: nk telnet --exec, the program on the connection. Its start (a
 * child with the connection, or a pipe pair, as stdin and stdout, and
 * the signal dispositions a program expects), the relay between a TLS
 * conn and its pipes (bytes must be decrypted in nk), and its end: the
 * child reaped, its status made nk's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "nk/tls.h"
#include "exec.h"
#include "tool.h"

/* What a relay direction holds: one read's worth, written out before
 * the next read, so a slow reader slows its writer (no unbounded
 * queue). */
#define RELAY_BUF 16384

/* The end of the output, close_notify and FIN, must go out in this. */
#define SHUTDOWN_MS 5000

/* In the child: stdin and stdout from in and out, the dispositions nk
 * changed back to the defaults (an ignored SIGPIPE would be inherited
 * through exec, and `cat` would then see EPIPE instead of dying of it),
 * then the shell. Only async-signal-safe calls after fork. */
static void
child_exec(int in, int out, const char *cmd)
{
	static const char msg[] = "nk-telnet: --exec: cannot run /bin/sh\n";
	sigset_t none;
	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
		_exit(126);
	/* The conn's socket is non-blocking, and the flag belongs to the
	 * open file the child now shares: a program expects blocking. */
	int fl = fcntl(STDIN_FILENO, F_GETFL);
	if (fl >= 0)
		fcntl(STDIN_FILENO, F_SETFL, fl & ~O_NONBLOCK);
	fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (fl >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, fl & ~O_NONBLOCK);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
		_exit(126);
	_exit(126);
}

/* The child's status as the shell gives it; -1 for none. */
static int
reap(pid_t pid, int verbose)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(st)) {
		if (verbose)
			fprintf(stderr, "The program ended by signal %d.\n",
			        WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	if (verbose)
		fprintf(stderr, "The program exited with status %d.\n",
		        WEXITSTATUS(st));
	return WEXITSTATUS(st);
}

/* Plain TCP or a Unix socket: the socket is the child's stdin and
 * stdout, and nk only waits. */
static int
exec_plain(nk_conn *conn, const char *cmd, int verbose)
{
	int fd = nk_conn_fd(conn);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		tool_msg("--exec: fork: %s", strerror(errno));
		return 126;
	}
	if (pid == 0)
		child_exec(fd, fd, cmd);
	return reap(pid, verbose);
}

/* One TLS relay: the conn one side, the child's pipes the other. */
struct relay {
	nk_conn *conn;
	int to_child, from_child;   /* our ends; -1 once closed */
	unsigned char down[RELAY_BUF], up[RELAY_BUF];
	size_t dlen, doff, ulen, uoff;
	int net_eof, child_eof;
	int rwant, wwant;           /* what the conn's last calls wait for */
	nk_err err;                 /* the conn failed */
	char errmsg[NK_ERR_MSG_LEN];
};

/* conn -> down -> child's stdin. Returns 1 when something moved. */
static int
relay_down(struct relay *r)
{
	int moved = 0;
	if (!r->net_eof && r->dlen == 0) {
		size_t n = 0;
		r->rwant = 0;
		nk_err e = nk_conn_try_read(r->conn, r->down, sizeof r->down, &n,
		                            &r->rwant, r->errmsg);
		if (e) {
			r->err = e;
			return 1;
		}
		if (n > 0) {
			r->dlen = n;
			r->doff = 0;
			moved = 1;
		} else if (!r->rwant) {
			r->net_eof = moved = 1;
		}
	}
	if (r->dlen > 0 && r->to_child < 0) {
		r->dlen = 0;    /* the program stopped reading: dropped */
		moved = 1;
	}
	if (r->dlen > 0) {
		ssize_t w = write(r->to_child, r->down + r->doff, r->dlen - r->doff);
		if (w > 0) {
			r->doff += (size_t)w;
			if (r->doff == r->dlen)
				r->dlen = 0;
			moved = 1;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			/* EPIPE: the program closed its stdin. */
			close(r->to_child);
			r->to_child = -1;
			moved = 1;
		}
	}
	if (r->net_eof && r->dlen == 0 && r->to_child >= 0) {
		close(r->to_child);
		r->to_child = -1;
		moved = 1;
	}
	return moved;
}

/* child's stdout -> up -> conn. Returns 1 when something moved. */
static int
relay_up(struct relay *r)
{
	int moved = 0;
	if (!r->child_eof && r->ulen == 0) {
		ssize_t n = read(r->from_child, r->up, sizeof r->up);
		if (n > 0) {
			r->ulen = (size_t)n;
			r->uoff = 0;
			moved = 1;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			r->child_eof = moved = 1;
		}
	}
	if (r->ulen > 0) {
		size_t n = 0;
		r->wwant = 0;
		nk_err e = nk_conn_try_write(r->conn, r->up + r->uoff,
		                             r->ulen - r->uoff, &n, &r->wwant,
		                             r->errmsg);
		if (e) {
			r->err = e;
			return 1;
		}
		r->uoff += n;
		if (r->uoff == r->ulen)
			r->ulen = 0;
		moved |= n > 0;
	}
	return moved;
}

/* Waits for the next thing either side can do. */
static void
relay_wait(struct relay *r)
{
	struct pollfd p[3];
	nfds_t np = 0;
	short ev = 0;
	if (!r->net_eof && r->dlen == 0) {
		if (nk_conn_pending(r->conn) > 0)
			return;
		ev |= (short)((r->rwant & NK_WANT_WRITE) ? POLLOUT : POLLIN);
	}
	if (r->ulen > 0)
		ev |= (short)((r->wwant & NK_WANT_READ) ? POLLIN : POLLOUT);
	if (ev)
		p[np++] = (struct pollfd){ nk_conn_fd(r->conn), ev, 0 };
	if (r->dlen > 0 && r->to_child >= 0)
		p[np++] = (struct pollfd){ r->to_child, POLLOUT, 0 };
	if (!r->child_eof && r->ulen == 0)
		p[np++] = (struct pollfd){ r->from_child, POLLIN, 0 };
	if (np > 0 && poll(p, np, -1) < 0 && errno != EINTR)
		r->err = nk_err_set(r->errmsg, NK_ERR_RECV_ERROR, "poll: %s",
		                    strerror(errno));
}

/* Relays until the program's output has ended and gone out (then our
 * side closes), or the conn fails. */
static void
relay_run(struct relay *r)
{
	while (!r->err && !(r->child_eof && r->ulen == 0)) {
		int moved = relay_down(r);
		if (!r->err)
			moved |= relay_up(r);
		if (!moved && !r->err)
			relay_wait(r);
	}
	if (!r->err)
		r->err = nk_conn_shutdown(r->conn, nk_deadline_in_ms(SHUTDOWN_MS),
		                          r->errmsg);
}

static int
exec_tls(nk_conn *conn, const char *cmd, int verbose)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) != 0) {
		tool_msg("--exec: pipe: %s", strerror(errno));
		return 126;
	}
	if (pipe2(out, O_CLOEXEC) != 0) {
		tool_msg("--exec: pipe: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		return 126;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		child_exec(in[0], out[1], cmd);
	int fork_errno = errno;
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		tool_msg("--exec: fork: %s", strerror(fork_errno));
		return 126;
	}
	static struct relay r;
	memset(&r, 0, sizeof r);
	r.conn = conn;
	r.to_child = in[1];
	r.from_child = out[0];
	fcntl(r.to_child, F_SETFL, O_NONBLOCK);
	fcntl(r.from_child, F_SETFL, O_NONBLOCK);
	relay_run(&r);
	/* A program still reading or writing sees EOF or EPIPE now. */
	if (r.to_child >= 0)
		close(r.to_child);
	close(r.from_child);
	int code = reap(pid, verbose);
	if (r.err)
		return tool_fail(r.err, r.errmsg);
	return code < 0 ? 126 : code;
}

int
exec_run(nk_conn *conn, const char *cmd, int verbose)
{
	if (verbose)
		fprintf(stderr, "Running /bin/sh -c '%s'.\n", cmd);
	int code = nk_tls_conn_is_tls(conn) ? exec_tls(conn, cmd, verbose)
	                                    : exec_plain(conn, cmd, verbose);
	return code < 0 ? 126 : code;
}
