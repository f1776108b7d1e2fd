/* args.h: nk telnet's command line: the options, what they set, and the
 * checks of what goes with what (args.c). */
#ifndef NK_TELNET_ARGS_H
#define NK_TELNET_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "netargs.h"
#include "ws.h"

/* -z: at most this many ports after HOST. */
#define ZERO_MAX_PORTS 64

/* The server's quiet time before our half-close (--eof-wait): longer than
 * a server takes to start a reply to a request it has whole, short enough
 * not to be noticed by one that answers only after EOF. */
#define EOF_WAIT_MS 1000

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
	const char *exec;                   /* --exec CMD */
	int trace;                          /* --trace: sesslog to stderr */
	const char *zports[ZERO_MAX_PORTS]; /* -z: the PORTs after the first */
	size_t nzports;
	struct ws_args ws;      /* ws:// and wss:// */
};

/* ws:// and wss://: whether the options fit them (parse_args leaves this
 * to the WebSocket session's start). 0, or -1 after saying why. */
int check_ws(struct args *a);

/* The defaults, before parse_args. */
void args_init(struct args *a);

/* Fills a from argv: 0; a positive exit status when done (--help,
 * --version); -1 after saying what is wrong. a's allocations are freed by
 * args_free, also on failure. */
int parse_args(int argc, char **argv, struct args *a);

void args_free(struct args *a);

/* How the escape character is written: "^]", "none". Static storage. */
const char *escape_name(int c);

/* --version's extra lines: libnk's and the libraries'. */
void versions(void);

#endif
