/* args.c: nk telnet's command line: the option table (which drives
 * --help, the completions and nk-telnet(1)'s check), what each option
 * sets in struct args, and the checks of what goes with what. */
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
#include "exec.h"
#include "lineedit.h"
#include "listen.h"
#include "netargs.h"
#include "opts.h"
#include "args.h"
#include "session.h"
#include "tool.h"
#include "ui.h"
#include "ws.h"

enum {
	O_TLS = 1, O_ESCAPE, O_LF, O_RAW, O_TELNET, O_RAW_OUTPUT, O_QUIT,
	O_EOF_WAIT, O_IDLE, O_VERBOSE,
	O_UNIX, O_UDP, O_HEXDUMP, O_OUTPUT,
	O_ZERO, O_CRLF, O_SOURCE,
	O_LISTEN, O_KEEP_OPEN,
	O_WS_PROTOCOL, O_WS_HEADER, O_WS_BINARY, O_WS_ONE, O_WS_PING, O_WS_MAX,
	O_EXEC,
	O_WAIT,
	O_JSON,
	O_TRACE,
	O_WS_HEX,
};

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
	  "listen on [ADDR] PORT and take one connection (as nc -l); with "
	  "-U on PATH, with -u for the first datagram's sender" },
	{ O_KEEP_OPEN, 0, "keep-open", OPT_FLAG, NULL, NULL,
	  "with -l: take the next connection after each (ncat's -k)" },
	{ O_EXEC, 0, "exec", OPT_STRING, "CMD", NULL,
	  "run CMD with /bin/sh -c, its stdin and stdout the connection "
	  "(ncat's --sh-exec)" },
	{ O_TLS, 0, "tls", OPT_FLAG, NULL, NULL,
	  "wrap the session in TLS, verified (default port 992)" },
	TLSARGS_VERIFY_OPTS,
	TLSARGS_SERVERNAME_OPT,
	{ O_WS_PROTOCOL, 0, "ws-protocol", OPT_STRING, "NAME", NULL,
	  "ws://: offer this subprotocol (again for more, in order)" },
	{ O_WS_HEADER, 'H', "header", OPT_STRING, "LINE", NULL,
	  "ws://: add this header line to the handshake (as curl -H)" },
	{ O_WS_BINARY, 'b', "binary", OPT_FLAG, NULL, NULL,
	  "ws://: send binary messages, each piped chunk or typed line one" },
	{ O_WS_ONE, '1', "one-message", OPT_FLAG, NULL, NULL,
	  "ws://: send one message, receive one, then close" },
	{ O_WS_PING, 0, "ping", OPT_NUM, "SECS", NULL,
	  "ws://: ping every SECS and show the round trip on stderr" },
	{ O_WS_MAX, 0, "max-message", OPT_NUM, "BYTES", NULL,
	  "ws://: refuse a message over BYTES (close 1009; default 16 MiB)" },
	{ O_WS_HEX, 0, "ws-hex", OPT_FLAG, NULL, NULL,
	  "ws://: show each binary message received as --hexdump's hex "
	  "lines" },
	/* One row for every tool (tests/cli/netargs.bats): with -l, the
	 * client certificate's options name the server's (nk-telnet(1)). */
	TLSARGS_CLIENT_OPTS,
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
	{ O_TRACE, 0, "trace", OPT_FLAG, NULL, NULL,
	  "in a pipe: show each chunk sent (>) and received (<) on stderr "
	  "as --hexdump's lines" },
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


void
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

const char *
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
	if (a->udp && !a->portarg && !a->listen) {
		tool_msg("-u needs a PORT");
		return -1;
	}
	if (a->udp && a->keep_open) {
		tool_msg("-l -u takes one peer, the first datagram's sender: no "
		         "--keep-open");
		return -1;
	}
	return 0;
}

/* ws:// and wss://: the options that make no sense with them. 0, or -1
 * after saying why. */
int
check_ws(struct args *a)
{
	if (!ws_is_url(a->host)) {
		tool_msg("-H, -b, -1, --ws-protocol, --ping and --max-message "
		         "need a ws:// or wss:// URL");
		return -1;
	}
	if (a->portarg || a->tls || a->udp || a->unixsock || a->listen ||
	    a->zero || a->raw || a->telnet || a->crlf || a->lf) {
		tool_msg("a ws:// or wss:// URL takes its port in the URL, and "
		         "none of --tls, -u, -U, -l, -z, -C, --lf, --raw and "
		         "--telnet");
		return -1;
	}
	a->ws.url = a->host;
	a->ws.na = &a->na;
	return 0;
}

/* --trace and --ws-hex: what they need. 0, or -1 after saying why. */
static int
check_views(const struct args *a)
{
	if (a->ws.hex && !ws_is_url(a->host)) {
		tool_msg("--ws-hex needs a ws:// or wss:// URL");
		return -1;
	}
	/* On a terminal the dump would tear through the line editor's
	 * screen; there --hexdump FILE, read from another window, serves. */
	if (a->trace && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		tool_msg("--trace is for a pipe; at a terminal use --hexdump FILE");
		return -1;
	}
	return 0;
}

/* The times, --json, the flags of the session's views (--trace,
 * --ws-hex), the shared network options and ws://'s. 0, or -1 after
 * saying why. */
static int
take_other(struct args *a, int id, const char *arg)
{
	if (id == O_TRACE || id == O_WS_HEX) {
		*(id == O_TRACE ? &a->trace : &a->ws.hex) = 1;
		return 0;
	}
	switch (id) {
	case O_QUIT:
	case O_EOF_WAIT:
	case O_IDLE:
	case O_WAIT:
		return take_secs(a, id, arg);
	case O_JSON:
		a->json = 1;
		return 0;
	}
	if (id >= O_WS_PROTOCOL && id <= O_WS_MAX)
		return ws_opt(&a->ws, id - O_WS_PROTOCOL, arg);
	return netargs_take(&a->na, id, arg) < 0 ? -1 : 0;
}

/* The TLS options need --tls, and -l --tls the server's certificate;
 * --exec what it cannot go with, and its refusal to hand a program to a
 * TLS peer nobody verified (a listener without --cacert), unless -k says
 * so. */
static int
check_tls_exec(const struct args *a)
{
	const nk_tls_config *tc = &a->na.tls;
	if (!a->tls && !ws_is_url(a->host) &&
	    (tc->cafile || tc->capath || tc->insecure || a->na.servername ||
	     tc->cert || tc->key)) {
		tool_msg("--cacert, --capath, -k, --servername, --cert and --key "
		         "need --tls");
		return -1;
	}
	if (a->listen && a->tls && !tc->cert) {
		tool_msg("-l --tls needs the server's certificate: --cert FILE "
		         "(and --key FILE)");
		return -1;
	}
	if (!a->exec)
		return 0;
	if (a->zero || a->udp || a->hexdump || a->output) {
		tool_msg("--exec takes none of -z, -u, --hexdump and -o");
		return -1;
	}
	if (a->trace) {
		tool_msg("--exec takes no --trace: the program has the connection");
		return -1;
	}
	if (a->listen && a->tls && !tc->cafile && !tc->capath && !tc->insecure) {
		tool_msg("--exec over TLS would run CMD for any client: verify "
		         "clients with --cacert, or accept any with -k");
		return -1;
	}
	return 0;
}

int
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
		case O_EXEC:
			a->exec = arg;
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
			if (take_other(a, id, arg) < 0)
				return -1;
			break;
		}
	}
	if (!a->host || !*a->host) {
		tool_msg("missing HOST (see nk telnet --help)");
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
	if (a->listen && (a->zero || a->na.net.source || a->na.servername)) {
		tool_msg("-l takes none of -z, --source and --servername");
		return -1;
	}
	if (check_tls_exec(a) != 0)
		return -1;
	if (a->keep_open && !a->listen) {
		tool_msg("--keep-open needs -l");
		return -1;
	}
	if (a->raw && a->telnet) {
		tool_msg("--raw and --telnet contradict each other");
		return -1;
	}
	if (check_transport(a) != 0 || check_views(a) != 0)
		return -1;
	return netargs_finish(&a->na);
}


void
args_init(struct args *a)
{
	memset(a, 0, sizeof *a);
	a->quit_ms = -1;
	a->eof_wait_ms = EOF_WAIT_MS;
	a->escape = 0x1d;
}

void
args_free(struct args *a)
{
	netargs_free(&a->na);
	free(a->ws.protocols);
	free(a->ws.headers);
}
