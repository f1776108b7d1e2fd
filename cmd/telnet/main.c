/* nk telnet: an interactive TCP (and TLS) client with telnet negotiation,
 * line editing and history at a terminal, and a clean byte pipe with
 * correct half-close everywhere else.
 *
 * Exit status: 0 when the server closes, after -q, or on `close`/`quit`
 * and a second Ctrl-D; 2 for bad usage; 6 (resolve), 7 (connect), 28
 * (connect timeout, -w or --idle-timeout), 35/60/77 (TLS), 55 (send:
 * how much input was not sent is said), 56 (recv: reset by the server),
 * 23 (writing stdout failed; a reader that went away, EPIPE, ends the
 * session quietly with 0, as nc does).
 * SIGTERM and SIGHUP restore the terminal, then end the process by the
 * same signal. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "nk/net.h"
#include "nk/telnet.h"
#include "nk/tls.h"
#include "args.h"
#include "dgram.h"
#include "jsonout.h"
#include "exec.h"
#include "lineedit.h"
#include "listen.h"
#include "netargs.h"
#include "opts.h"
#include "session.h"
#include "tool.h"
#include "ui.h"
#include "ws.h"

/* mkdir -p, each directory it creates private (0700, as XDG asks). */
static int
make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0700);
		*p = '/';
		if (r != 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* $XDG_STATE_HOME/nk/telnet_history_HOST_PORT (default ~/.local/state);
 * NULL when there is no home to keep it in. */
static char *
history_path(const char *host, int port)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX], name[300];
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(dir, sizeof dir, "%s/nk", xdg);
	else if (home && home[0] == '/')
		n = snprintf(dir, sizeof dir, "%s/.local/state/nk", home);
	else
		return NULL;
	if (n < 0 || (size_t)n >= sizeof dir || make_dirs(dir) != 0)
		return NULL;
	/* The host becomes part of a file name: nothing but safe bytes. */
	size_t i;
	for (i = 0; i < 255 && host[i]; i++) {
		char c = host[i];
		name[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		          c == ':' ? c : '_';
	}
	name[i] = '\0';
	char *path;
	if (asprintf(&path, "%s/telnet_history_%s_%d", dir, name, port) < 0)
		return NULL;
	return path;
}

/* The session's settings from the options, and its face: the UI when
 * stdin and stdout are terminals. */
static void
session_from_args(struct session *s, const struct args *a)
{
	/* Under --exec the program has the connection, not the user. */
	int interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
	                  !a->exec;
	s->ui = interactive ? &tty_ui : NULL;
	s->verbose = a->verbose + interactive;
	s->lf = a->lf && !a->crlf;
	s->crlf = a->crlf;
	s->escape_char = a->escape;
	s->quit_ms = a->quit_ms;
	s->idle_ms = a->idle_ms;
	s->idle_opt = a->idle_given ? "--idle-timeout" : "-w";
	s->eof_wait_ms = a->eof_wait_ms;
	s->escape_output = isatty(STDOUT_FILENO) && !a->raw_output;
	s->safe.raw = a->raw_output;
	s->safe.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
}

static void
report_attempts(struct session *s, const nk_connect_info *info)
{
	for (size_t i = 0; i < info->nattempts; i++) {
		const nk_attempt *at = &info->attempts[i];
		session_status(s, "Trying %s...", at->addr);
		if (at->err && at->err != NK_ERR_ABORTED_BY_CALLBACK)
			session_status(s, "%s port %d: %s", at->addr, at->port,
			               at->why);
	}
}

/* The TLS handshake over s->conn, said when it is done. */
static nk_err
start_tls(struct session *s, nk_tls_ctx *ctx, const char *name,
          nk_time deadline, nk_tls_info *tls, char *err)
{
	nk_err e = nk_tls_start(ctx, s->conn, name, deadline, tls, err);
	if (e)
		return e;
	s->tls = tls;
	if (tls->verify_ok)
		session_status(s, "TLS: %s, %s; certificate verified for %s.",
		               tls->version, tls->cipher, name);
	else
		session_status(s, "TLS: %s, %s; certificate NOT verified "
		               "(--insecure): %s.", tls->version, tls->cipher,
		               tls->verify_reason);
	return NK_OK;
}

/* -U: connects s->conn to the socket at a->host. */
static int
connect_unix(struct session *s, struct args *a)
{
	char err[NK_ERR_MSG_LEN] = "";
	netargs_free(&a->na);
	nk_err e = unix_connect(a->host, &s->conn, err);
	if (e)
		return tool_fail(e, err);
	session_status(s, "Connected to %s.", a->host);
	return 0;
}

/* Connects s->conn (and TLS with --tls into *tls), saying each step. Frees
 * a's network options. Returns 0, or the exit status with nothing left
 * open. */
static int
connect_session(struct session *s, struct args *a, nk_tls_info *tls)
{
	char err[NK_ERR_MSG_LEN] = "";
	nk_tls_ctx *ctx = NULL;
	nk_err e;

	if (a->tls && (e = nk_tls_ctx_new(&a->na.tls, &ctx, err)) != NK_OK) {
		netargs_free(&a->na);
		return tool_fail(e, err);
	}
	/* --connect-timeout bounds TCP and TLS together, as in curl. */
	nk_time deadline = nk_deadline_in_ms(a->na.net.connect_timeout_ms);
	nk_connect_info info;
	s->start = nk_now();
	if (a->unixsock)
		return connect_unix(s, a);
	e = netargs_connect(&a->na, a->host, s->port, deadline, &s->conn, &info,
	               err);
	netargs_free(&a->na);
	report_attempts(s, &info);
	if (e) {
		nk_tls_ctx_free(ctx);
		return tool_fail(e, err);
	}
	session_status(s, "Connected to %s (%s) port %d.", a->host,
	               nk_conn_peer_str(s->conn), nk_conn_peer_port(s->conn));
	if (a->tls) {
		const char *name = a->na.servername ? a->na.servername : a->host;
		e = start_tls(s, ctx, name, deadline, tls, err);
		nk_tls_ctx_free(ctx);
		if (e) {
			nk_tls_info_clear(tls);
			nk_conn_free(s->conn);
			return tool_fail(e, err);
		}
	}
	return 0;
}

/* -z: connects to each port of a->host in turn and closes at once,
 * saying so with -v. 0 when every port opened, else the status of the
 * last that did not (its error said). Frees a's network options. */
static int
zero_scan(struct args *a)
{
	char err[NK_ERR_MSG_LEN];
	int code = 0;
	for (size_t i = 0; i <= a->nzports; i++) {
		const char *arg = i ? a->zports[i - 1] : a->portarg;
		int port;
		if (nk_port_parse(arg, "tcp", &port, err)) {
			tool_msg("%s", err);
			code = 2;
			continue;
		}
		nk_time t0 = nk_now();
		nk_time deadline = nk_deadline_in_ms(a->na.net.connect_timeout_ms);
		nk_conn *c = NULL;
		err[0] = '\0';
		nk_err e = nk_connect(&a->na.net, a->host, port, deadline, &c,
		                      NULL, err);
		int st = e ? tool_fail(e, err) : 0;
		if (e)
			code = st;
		if (a->json)
			json_zero(stdout, a->host, port, e ? NULL : c, e, err,
			          nk_now() - t0, st);
		if (e)
			continue;
		if (a->verbose)
			fprintf(stderr, "Connected to %s (%s) port %d.\n", a->host,
			        nk_conn_peer_str(c), nk_conn_peer_port(c));
		nk_conn_free(c);
	}
	netargs_free(&a->na);
	return code;
}

/* The telnet machine for s (not with --raw). */
static nk_err
make_telnet(struct session *s, const struct args *a, char *err)
{
	nk_telnet_config tc;
	memset(&tc, 0, sizeof tc);
	struct winsize ws;
	if (s->ui) {
		tc.term = getenv("TERM");
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
			tc.naws = 1;
			tc.width = ws.ws_col;
			tc.height = ws.ws_row;
		}
	}
	tc.binary = 1;
	/* telnet(1) opens the negotiation on the telnet ports only;
	 * elsewhere the server may not speak telnet at all. */
	int telnet_port = s->port == 23 || s->port == 992 || a->telnet;
	tc.auto_detect = !telnet_port;
	if (nk_telnet_new(&tc, &s->tn, err) != NK_OK) {
		/* An odd $TERM is not worth failing for: no TTYPE. */
		tc.term = NULL;
		nk_err e = nk_telnet_new(&tc, &s->tn, err);
		if (e)
			return e;
	}
	/* A new machine always has room for the offer. */
	if (telnet_port)
		(void)nk_telnet_offer(s->tn);
	return NK_OK;
}

/* -u: the datagram session instead of the stream one. */
static int
run_udp(struct args *a, int port, struct sesslog *log)
{
	struct udp_args u = {
		a->host, port, &a->na.net, a->quit_ms, a->idle_ms,
		a->eof_wait_ms, a->verbose, a->raw_output, log, a->listen,
	};
	int code = udp_run(&u);
	netargs_free(&a->na);
	return code;
}

/* ws:// and wss://: the WebSocket session instead of the byte stream. */
static int
ws_main(struct args *a)
{
	struct sesslog log;
	int bad = check_ws(a) != 0;
	if (bad || sesslog_open(&log, a->hexdump, a->output) != 0) {
		args_free(a);
		return bad ? 2 : NK_ERR_WRITE_ERROR;
	}
	log.trace = a->trace ? stderr : NULL;
	a->ws.quit_ms = a->quit_ms;
	a->ws.eof_wait_ms = a->eof_wait_ms;
	a->ws.idle_ms = a->idle_ms;
	a->ws.verbose = a->verbose;
	a->ws.raw_output = a->raw_output;
	a->ws.log = &log;
	int code = ws_run(&a->ws);
	sesslog_close(&log);
	return code;
}

/* -l: one connection at a time on [ADDR] PORT (or -U PATH), each a
 * session as in connect mode; bytes pass as they are unless --telnet.
 * The status of the last session (with --keep-open, until a signal ends
 * nk). */
static int
listen_main(struct args *a, struct sesslog *log)
{
	const char *host = a->portarg ? a->host : NULL;
	const char *parg = a->portarg ? a->portarg : a->host;
	char err[NK_ERR_MSG_LEN] = "";
	struct listener l;
	int port, code = 0;

	if (a->unixsock) {
		port = 0;  /* no telnet port: no telnet offer with --telnet */
	} else if (nk_port_parse(parg, "tcp", &port, err)) {
		tool_msg("%s", err);
		netargs_free(&a->na);
		return 2;
	}
	nk_tls_ctx *ctx = NULL;
	nk_tls_config tc = a->na.tls;
	tc.server = 1;
	nk_err e = a->tls ? nk_tls_ctx_new(&tc, &ctx, err) : NK_OK;
	if (!e)
		e = a->unixsock ? listener_open_unix(&l, a->host, err) :
		    listener_open(&l, host, port, a->na.net.family, err);
	int64_t hs_ms = a->na.net.connect_timeout_ms;
	netargs_free(&a->na);
	if (e) {
		nk_tls_ctx_free(ctx);
		return tool_fail(e, err);
	}
	do {
		struct session s;
		nk_tls_info tls;
		memset(&s, 0, sizeof s);
		memset(&tls, 0, sizeof tls);
		session_from_args(&s, a);
		s.port = port;
		s.log = log;
		listener_guard(&l);
		if ((e = listener_accept(&l, &s.conn, err)) != NK_OK) {
			code = tool_fail(e, err);
			break;
		}
		s.host = nk_conn_peer_str(s.conn);
		s.start = nk_now();
		if (a->unixsock)
			session_status(&s, "Connection on %s.", a->host);
		else
			session_status(&s, "Connection from %s port %d.", s.host,
			               nk_conn_peer_port(s.conn));
		if ((ctx && (e = listener_tls(&s, ctx, nk_deadline_in_ms(hs_ms),
		                              &tls, err)) != NK_OK) ||
		    (a->telnet && (e = make_telnet(&s, a, err)) != NK_OK)) {
			/* One client's failure is the next one's chance. */
			nk_tls_info_clear(&tls);
			nk_conn_free(s.conn);
			code = tool_fail(e, err);
			continue;
		}
		code = a->exec ? exec_run(s.conn, a->exec, a->verbose)
		               : session_run(&s);
		if (a->json && !a->exec)
			json_session(stderr, &s, code);
		/* Waiting for the next client, a signal ends nk at once. */
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		nk_telnet_free(s.tn);
		nk_conn_free(s.conn);
		nk_tls_info_clear(&tls);
		if (s.term_signal) {
			listener_close(&l);
			signal(s.term_signal, SIG_DFL);
			raise(s.term_signal);
		}
	} while (a->keep_open);
	listener_close(&l);
	nk_tls_ctx_free(ctx);
	return code;
}

/* A closed stdin, stdout or stderr (2>&-) would make the next socket
 * or file take its number: --trace and every error message would go
 * into the connection, and its bytes be read as input. /dev/null keeps
 * the numbers taken. */
static void
keep_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			_exit(NK_ERR_FAILED_INIT);
}

int
main(int argc, char **argv)
{
	struct args a;
	struct session s;
	nk_tls_info tls;
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e;
	int code;

	keep_std_fds();
	tool_init(argc, argv);
	tool_version_hook = versions;
	setlocale(LC_CTYPE, "");
	args_init(&a);
	int pe = parse_args(argc, argv, &a);
	if (pe != 0) {
		args_free(&a);
		return pe > 0 ? pe : NK_ERR_FAILED_INIT;
	}

	if (a.zero)
		return zero_scan(&a);
	if (ws_is_url(a.host) || ws_opts_given(&a.ws))
		return ws_main(&a);
	if (a.listen && a.udp && !a.portarg) {
		/* -l -u PORT: every address. */
		a.portarg = a.host;
		a.host = NULL;
	}
	struct sesslog log;
	if (sesslog_open(&log, a.hexdump, a.output) != 0) {
		netargs_free(&a.na);
		return NK_ERR_WRITE_ERROR;
	}
	log.trace = a.trace ? stderr : NULL;
	if (a.listen && !a.udp) {
		code = listen_main(&a, &log);
		sesslog_close(&log);
		return code;
	}
	memset(&s, 0, sizeof s);
	s.host = a.host;
	/* Port 0 for -U: no telnet port, so no telnet offer. */
	s.port = a.unixsock ? 0 : a.tls ? 992 : 23;
	if (a.portarg && nk_port_parse(a.portarg, a.udp ? "udp" : "tcp",
	                               &s.port, err)) {
		tool_msg("%s", err);
		netargs_free(&a.na);
		sesslog_close(&log);
		return 2;
	}
	if (a.udp) {
		code = run_udp(&a, s.port, &log);
		sesslog_close(&log);
		return code;
	}
	session_from_args(&s, &a);
	s.log = &log;
	memset(&tls, 0, sizeof tls);
	code = connect_session(&s, &a, &tls);
	if (code) {
		sesslog_close(&log);
		return code;
	}
	if (a.exec) {
		code = exec_run(s.conn, a.exec, a.verbose);
		nk_conn_free(s.conn);
		nk_tls_info_clear(&tls);
		sesslog_close(&log);
		return code;
	}
	if (!a.raw && (e = make_telnet(&s, &a, err)) != NK_OK) {
		nk_conn_free(s.conn);
		nk_tls_info_clear(&tls);
		sesslog_close(&log);
		return tool_fail(e, err);
	}
	if (s.ui) {
		if (s.escape_char >= 0)
			session_status(&s, "Escape character is '%s'.",
			               escape_name(s.escape_char));
		else
			session_status(&s, "No escape character.");
		s.history = history_path(a.host, s.port);
	}

	code = session_run(&s);
	if (a.json)
		json_session(stderr, &s, code);

	nk_telnet_free(s.tn);
	nk_conn_free(s.conn);
	nk_tls_info_clear(&tls);
	free(s.history);
	sesslog_close(&log);
	if (s.term_signal) {
		signal(s.term_signal, SIG_DFL);
		raise(s.term_signal);
	}
	return code;
}
