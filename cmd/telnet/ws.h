/* ws: nk telnet ws://HOST[:PORT]/PATH and wss://: a WebSocket session
 * (RFC 6455, libnk's nk/ws.h) instead of the byte stream. ws.c connects
 * and does the opening handshake; ws_loop.c runs the session. */
#ifndef NK_TELNET_WS_H
#define NK_TELNET_WS_H

#include <stddef.h>
#include <stdint.h>

#include "nk/buf.h"
#include "nk/conn.h"
#include "nk/time.h"
#include "nk/ws.h"
#include "netargs.h"
#include "safe.h"
#include "sesslog.h"

/* The options of a WebSocket session. Borrowed for ws_run's call. */
struct ws_args {
	const char *url;                /* ws://... or wss://... */
	struct netargs *na;             /* freed by ws_run */
	const char **protocols;         /* --ws-protocol, in order */
	size_t nprotocols;
	const char **headers;           /* -H */
	size_t nheaders;
	int binary;                     /* -b: binary messages */
	int one;                        /* -1: one message each way */
	int verbose;
	int raw_output;
	int64_t ping_ms;                /* --ping; 0 for none */
	int64_t quit_ms;                /* -q: close this long after the end
	                                 * of input; -1: see eof_wait_ms */
	int64_t eof_wait_ms;            /* --eof-wait: after the end of input,
	                                 * close once no message came for this
	                                 * long (the replies still on their
	                                 * way are not cut off) */
	int64_t idle_ms;                /* --idle-timeout; 0 for none */
	uint64_t max_message;           /* --max-message; 0: the default */
	int given;                      /* a WebSocket option was given */
	struct sesslog *log;            /* --hexdump and -o: message payloads */
	int hex;                        /* --ws-hex: binary messages shown as
	                                 * hex lines */
};

/* The WebSocket options, in the order of their ids in main.c's table. */
enum { WS_OPT_PROTOCOL, WS_OPT_HEADER, WS_OPT_BINARY, WS_OPT_ONE,
       WS_OPT_PING, WS_OPT_MAX };

/* Takes one of them into a (the lists grow: ws_run frees them). 0, or -1
 * after saying why. */
int ws_opt(struct ws_args *a, int which, const char *arg);

/* Whether any was given (they need a ws:// or wss:// URL). */
int ws_opts_given(const struct ws_args *a);

/* 1 when arg is a ws:// or wss:// URL (the scheme in any case). */
int ws_is_url(const char *arg);

/* Connects, shakes hands and runs the session; returns the exit status.
 * Frees a's lists and network options. */
int ws_run(struct ws_args *a);

/* The session's state, shared by ws.c and ws_loop.c. */
struct wsess {
	const struct ws_args *a;
	nk_conn *conn;
	struct nk_ws_rx rx;
	nk_buf out;                     /* frames queued for the server */
	size_t outoff;                  /* of out, already sent */
	nk_buf in;                      /* stdin not yet sent (a pipe) */
	int rwant, wwant;
	int tty;                        /* the line editor runs */
	int escape;                     /* stdout is a terminal */
	struct safe safe;
	int stdin_eof, close_sent, close_got, sent_one, got_one;
	nk_time eof_at;                 /* when input ended */
	nk_time close_by;               /* our close sent: the server's is
	                                 * due by then */
	nk_time next_ping, ping_sent;
	uint64_t ping_seq;
	nk_time last;                   /* data either way, for -w */
	nk_time last_in;                /* the last message received */
	int done, code;
	unsigned char rbuf[65536];
};

/* The loop, from the bytes after the handshake's head (start[0..n)). */
int ws_loop(struct wsess *w, const unsigned char *start, size_t n);

#endif
