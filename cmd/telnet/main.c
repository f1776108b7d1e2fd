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
#include "dgram.h"
#include "jsonout.h"
#include "lineedit.h"
#include "listen.h"
#include "netargs.h"
#include "opts.h"
#include "session.h"
#include "tool.h"
#include "ui.h"

enum {
	O_TLS = 1, O_ESCAPE, O_LF, O_RAW, O_TELNET, O_RAW_OUTPUT, O_QUIT,
	O_EOF_WAIT, O_IDLE, O_VERBOSE,
	O_UNIX, O_UDP, O_HEXDUMP, O_OUTPUT,
	O_ZERO, O_CRLF, O_SOURCE,
	O_LISTEN, O_KEEP_OPEN,
	O_WAIT,
	O_JSON,
};

/* -z: at most this many ports after HOST. */
#define ZERO_MAX_PORTS 64

/* The server's quiet time before our half-close (--eof-wait): longer than
 * a server takes to start a reply to a request it has whole, short enough
 * not to be noticed by one that answers only after EOF. */
#define EOF_WAIT_MS 1000

static const struct opt opts[] = {
	NETARGS_FAMILY_OPTS,
	NETARGS_RESOLVE_OPT,
	NETARGS_CONNECT_OPTS,
	NETARGS_PROXY_OPTS,
	{ O_UNIX, 'U', "unixsock", OPT_FLAG, NULL, NULL,
	  "HOST is the path of a Unix domain stream socket (no PORT)" },
	{ O_UDP, 'u', "udp", OPT_FLAG, NULL, NULL,
	  "UDP: each line of input one datagram, each datagram received "
	  "shown" },
	{ O_SOURCE, 's', "source", OPT_STRING, "ADDR[:PORT]", NULL,
	  "connect from this local address (and port; [v6]:PORT)" },
	{ O_LISTEN, 'l', "listen", OPT_FLAG, NULL, NULL,
	  "listen on [ADDR] PORT and take one connection (as nc -l)" },
	{ O_KEEP_OPEN, 0, "keep-open", OPT_FLAG, NULL, NULL,
	  "with -l: take the next connection after each (ncat's -k)" },
	{ O_TLS, 0, "tls", OPT_FLAG, NULL, NULL,
	  "wrap the session in TLS, verified (default port 992)" },
	TLSARGS_VERIFY_OPTS,
	TLSARGS_SERVERNAME_OPT,
	{ O_ESCAPE, 'e', "escape", OPT_STRING, "CHAR", NULL,
	  "escape character: ^X, one character, or none (default ^])" },
	{ O_LF, 0, "lf", OPT_FLAG, NULL, NULL,
	  "end typed lines with LF instead of CR LF" },
	{ O_CRLF, 'C', "crlf", OPT_FLAG, NULL, NULL,
	  "send each piped LF as CR LF (as nc -C)" },
	{ O_ZERO, 'z', NULL, OPT_FLAG, NULL, NULL,
	  "only check that each PORT opens (exit 0, or 7), sending nothing" },
	{ O_RAW, 0, "raw", OPT_FLAG, NULL, NULL,
	  "no telnet processing at all: bytes pass unchanged both ways" },
	{ O_TELNET, 0, "telnet", OPT_FLAG, NULL, NULL,
	  "speak telnet from the start on any port, as on port 23" },
	{ O_RAW_OUTPUT, 0, "raw-output", OPT_FLAG, NULL, NULL,
	  "show the server's control characters on the terminal as they are" },
	{ O_QUIT, 'q', "hold", OPT_NUM, "SECS", NULL,
	  "quit SECS after the end of input, even if the server goes on; "
	  "-1: wait for the server to close (the default)" },
	{ O_WAIT, 'w', "wait", OPT_NUM, "SECS", NULL,
	  "give up connecting after SECS, and end the session after SECS "
	  "without data either way (exit 28), as nc -w" },
	{ O_EOF_WAIT, 0, "eof-wait", OPT_NUM, "SECS", NULL,
	  "after the end of input, send EOF once the server has been quiet "
	  "SECS (default 1; 0: at once)" },
	{ O_IDLE, 0, "idle-timeout", OPT_NUM, "SECS", NULL,
	  "end the session after SECS without data either way (exit 28)" },
	{ O_HEXDUMP, 0, "hexdump", OPT_STRING, "FILE", NULL,
	  "log both directions to FILE in hex, each chunk with its "
	  "direction, time and offsets" },
	{ O_OUTPUT, 'o', "output", OPT_STRING, "FILE", NULL,
	  "write the bytes received to FILE too, as they came" },
	{ O_JSON, 0, "json", OPT_FLAG, NULL, NULL,
	  "one JSON object a line: each -z check on stdout, a session's "
	  "summary on stderr" },
	{ O_VERBOSE, 'v', "verbose", OPT_FLAG, NULL, NULL,
	  "status lines in a pipe; again (or at a terminal): telnet options" },
};

static const struct tool tool = {
	"telnet", "talk to a TCP or TLS server by hand or from a pipe",
	"[options] HOST [PORT]", opts, NK_ARRAY_LEN(opts),
};

struct args {
	const char *host, *portarg;
	struct netargs na;
	int64_t quit_ms, idle_ms, eof_wait_ms;
	int tls, lf, raw, telnet, raw_output, verbose, escape;
	int unixsock, udp;
	const char *hexdump, *output;
	int zero, crlf, listen, keep_open;
	int64_t wait_ms;        /* the last -w */
	int idle_given;         /* --idle-timeout, over -w */
	int json;
	const char *zports[ZERO_MAX_PORTS]; /* -z: the PORTs after the first */
	size_t nzports;
};

static void
versions(void)
{
	printf("line editor: %s\n", le_version());
	printf("TLS: %s\n", nk_tls_library_version());
}

/* "^]" (caret notation, ^? for DEL), a single character, or "none". */
static int
parse_escape(const char *s, int *out)
{
	if (!strcmp(s, "none")) {
		*out = -1;
		return 0;
	}
	if (s[0] == '^' && s[1] && !s[2]) {
		int c = toupper((unsigned char)s[1]);
		/* cppcheck 2.10 takes s[1] for a constant here (it is the
		 * user's option argument). */
		/* cppcheck-suppress knownConditionTrueFalse */
		if (c == '?') {
			*out = 0x7f;
			return 0;
		}
		/* cppcheck-suppress knownConditionTrueFalse */
		if (c >= '@' && c <= '_') {
			*out = c & 0x1f;
			return 0;
		}
	} else if (s[0] && !s[1]) {
		*out = (unsigned char)s[0];
		return 0;
	}
	tool_msg("-e takes ^X, a single character or none, not '%s'", s);
	return -1;
}

static const char *
escape_name(int c)
{
	static char b[8];
	if (c == 0x7f)
		return "^?";
	if (c < 0x20)
		snprintf(b, sizeof b, "^%c", c | 0x40);
	else
		snprintf(b, sizeof b, "%c", c);
	return b;
}

/* -q, -w, --eof-wait and --idle-timeout: seconds, kept as milliseconds. */
static int
take_secs(struct args *a, int id, const char *arg)
{
	/* -q -1 (any negative, as nc's -q): wait for the peer for ever. */
	if (id == O_QUIT && arg[0] == '-' && arg[1]) {
		int64_t ms;
		if (tool_parse_secs(arg + 1, "-q", &ms) != 0)
			return -1;
		a->quit_ms = QUIT_FOREVER;
		return 0;
	}
	if (id == O_WAIT) {
		/* nc's -w: the connect and idle timeouts at once; each of
		 * --connect-timeout and --idle-timeout, given in any order,
		 * wins for its part. */
		int64_t ms;
		if (tool_parse_secs(arg, "-w", &ms) != 0)
			return -1;
		int64_t *cto = &a->na.net.connect_timeout_ms;
		if (!*cto || *cto == a->wait_ms)
			*cto = ms;
		a->wait_ms = ms;
		if (!a->idle_given)
			a->idle_ms = ms;
		return 0;
	}
	if (id == O_IDLE)
		a->idle_given = 1;
	const char *name = id == O_QUIT ? "-q" :
	                   id == O_EOF_WAIT ? "--eof-wait" : "--idle-timeout";
	int64_t *ms = id == O_QUIT ? &a->quit_ms :
	              id == O_EOF_WAIT ? &a->eof_wait_ms : &a->idle_ms;
	return tool_parse_secs(arg, name, ms);
}

/* What parse_args hands on whole: the times, --json and the network
 * options. 0, or -1 after saying why. */
static int
take_more(struct args *a, int id, const char *arg)
{
	switch (id) {
	case O_QUIT:
	case O_EOF_WAIT:
	case O_IDLE:
	case O_WAIT:
		return take_secs(a, id, arg);
	case O_JSON:
		a->json = 1;
		return 0;
	default:
		return netargs_take(&a->na, id, arg) < 0 ? -1 : 0;
	}
}

/* -U and -u: what they cannot go with. */
static int
check_transport(const struct args *a)
{
	if (a->unixsock && a->udp) {
		tool_msg("-U and -u cannot be combined (a Unix datagram socket "
		         "is not supported)");
		return -1;
	}
	if ((a->unixsock || a->udp) && a->tls) {
		tool_msg("--tls works over TCP only, not with %s",
		         a->udp ? "-u" : "-U");
		return -1;
	}
	if (a->unixsock && a->portarg) {
		tool_msg("-U takes a socket path and no PORT, not '%s'",
		         a->portarg);
		return -1;
	}
	if (a->udp && !a->portarg) {
		tool_msg("-u needs a PORT");
		return -1;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	struct optstate st = { 1, NULL, 0 };
	const char *arg;
	int id;

	while ((id = opt_next(&st, argc, argv, &tool, &arg)) != OPT_END) {
		switch (id) {
		case OPT_ERROR:
			return -1;
		case OPT_ARG:
			if (!a->host) {
				a->host = arg;
			} else if (!a->portarg) {
				a->portarg = arg;
			} else if (a->nzports < ZERO_MAX_PORTS) {
				a->zports[a->nzports++] = arg;
			} else {
				tool_msg("one HOST and one PORT, not '%s' too (see nk "
				         "telnet --help)", arg);
				return -1;
			}
			break;
		case O_TLS:
			a->tls = 1;
			break;
		case O_ESCAPE:
			if (parse_escape(arg, &a->escape) != 0)
				return -1;
			break;
		case O_LF:
			a->lf = 1;
			break;
		case O_CRLF:
			a->crlf = 1;
			break;
		case O_ZERO:
			a->zero = 1;
			break;
		case O_SOURCE:
			a->na.net.source = arg;
			break;
		case O_LISTEN:
			a->listen = 1;
			break;
		case O_KEEP_OPEN:
			a->keep_open = 1;
			break;
		case O_RAW:
			a->raw = 1;
			break;
		case O_TELNET:
			a->telnet = 1;
			break;
		case O_RAW_OUTPUT:
			a->raw_output = 1;
			break;
		case O_VERBOSE:
			a->verbose++;
			break;
		case O_UNIX:
			a->unixsock = 1;
			break;
		case O_UDP:
			a->udp = 1;
			break;
		case O_HEXDUMP:
			a->hexdump = arg;
			break;
		case O_OUTPUT:
			a->output = arg;
			break;
		default:
			if (take_more(a, id, arg) < 0)
				return -1;
			break;
		}
	}
	if (!a->host || !*a->host) {
		tool_msg("missing HOST (see nk telnet --help)");
		return -1;
	}
	const nk_tls_config *tc = &a->na.tls;
	if (!a->tls && (tc->cafile || tc->capath || tc->insecure ||
	                a->na.servername)) {
		tool_msg("--cacert, --capath, -k and --servername need --tls");
		return -1;
	}
	if (a->nzports && !a->zero) {
		tool_msg("one HOST and one PORT, not '%s' too (see nk telnet "
		         "--help)", a->zports[0]);
		return -1;
	}
	if (a->zero && (!a->portarg || a->tls)) {
		tool_msg(a->tls ? "-z checks TCP ports only: leave out --tls" :
		         "-z needs a PORT");
		return -1;
	}
	if (a->listen && (a->zero || a->tls || a->na.net.source)) {
		tool_msg("-l takes none of -z, --tls and --source");
		return -1;
	}
	if (a->keep_open && !a->listen) {
		tool_msg("--keep-open needs -l");
		return -1;
	}
	if (a->raw && a->telnet) {
		tool_msg("--raw and --telnet contradict each other");
		return -1;
	}
	if (check_transport(a) != 0)
		return -1;
	return netargs_finish(&a->na);
}

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
	int interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
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
		a->eof_wait_ms, a->verbose, a->raw_output, log,
	};
	int code = udp_run(&u);
	netargs_free(&a->na);
	return code;
}

/* -l: one connection at a time on [ADDR] PORT, each a session as in
 * connect mode; bytes pass as they are unless --telnet. The status of
 * the last session (with --keep-open, until a signal ends nk). */
static int
listen_main(struct args *a, struct sesslog *log)
{
	const char *host = a->portarg ? a->host : NULL;
	const char *parg = a->portarg ? a->portarg : a->host;
	char err[NK_ERR_MSG_LEN] = "";
	struct listener l;
	int port, code = 0;

	if (nk_port_parse(parg, "tcp", &port, err)) {
		tool_msg("%s", err);
		netargs_free(&a->na);
		return 2;
	}
	nk_err e = listener_open(&l, host, port, a->na.net.family, err);
	netargs_free(&a->na);
	if (e)
		return tool_fail(e, err);
	do {
		struct session s;
		memset(&s, 0, sizeof s);
		session_from_args(&s, a);
		s.port = port;
		s.log = log;
		if ((e = listener_accept(&l, &s.conn, err)) != NK_OK) {
			code = tool_fail(e, err);
			break;
		}
		s.host = nk_conn_peer_str(s.conn);
		s.start = nk_now();
		session_status(&s, "Connection from %s port %d.", s.host,
		               nk_conn_peer_port(s.conn));
		if (a->telnet && (e = make_telnet(&s, a, err)) != NK_OK) {
			nk_conn_free(s.conn);
			code = tool_fail(e, err);
			break;
		}
		code = session_run(&s);
		if (a->json)
			json_session(stderr, &s, code);
		/* Waiting for the next client, a signal ends nk at once. */
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		nk_telnet_free(s.tn);
		nk_conn_free(s.conn);
		if (s.term_signal) {
			listener_close(&l);
			signal(s.term_signal, SIG_DFL);
			raise(s.term_signal);
		}
	} while (a->keep_open);
	listener_close(&l);
	return code;
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

	tool_init(argc, argv);
	tool_version_hook = versions;
	setlocale(LC_CTYPE, "");
	memset(&a, 0, sizeof a);
	a.quit_ms = -1;
	a.eof_wait_ms = EOF_WAIT_MS;
	a.escape = 0x1d;
	int pe = parse_args(argc, argv, &a);
	if (pe != 0) {
		netargs_free(&a.na);
		return pe > 0 ? pe : NK_ERR_FAILED_INIT;
	}

	if (a.zero)
		return zero_scan(&a);
	if (a.listen && (a.udp || a.unixsock)) {
		tool_msg("-l listens on TCP only: not with -u or -U");
		netargs_free(&a.na);
		return 2;
	}
	struct sesslog log;
	if (sesslog_open(&log, a.hexdump, a.output) != 0) {
		netargs_free(&a.na);
		return NK_ERR_WRITE_ERROR;
	}
	if (a.listen) {
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
