/* session: one connection's poll loop, over stdin, the connection and a
 * signal pipe, for both faces of nk telnet: a byte pipe when stdin is not
 * a terminal, the line-editing UI (ui.c) when stdin and stdout are. */
#ifndef NK_TELNET_SESSION_H
#define NK_TELNET_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "nk/conn.h"
#include "nk/telnet.h"
#include "nk/time.h"
#include "nk/tls.h"
#include "safe.h"

/* A growable byte queue. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

struct session {
	/* Set up by main. */
	nk_conn *conn;
	nk_telnet *tn;          /* NULL with --raw */
	const char *host;       /* as the user gave it */
	int port;
	int interactive;        /* stdin and stdout are terminals: ui.c */
	int verbose;            /* 1: status lines, 2: negotiation trace */
	int lf;                 /* lines end with LF, not CRLF */
	int escape_char;        /* -e; -1 for none */
	int64_t quit_ms;        /* -q; -1 for none */
	int64_t idle_ms;        /* --idle-timeout; 0 for none */
	int64_t eof_wait_ms;    /* --eof-wait: the server's quiet time
	                         * before our half-close; 0: at once */
	char *history;          /* history file, or NULL; main frees it */
	const nk_tls_info *tls; /* NULL for plain TCP */
	struct safe safe;       /* the filter for a terminal's output */
	int escape_output;      /* stdout is a terminal, no --raw-output */
	nk_time start;

	/* Loop state. */
	struct buf netout;      /* queued for the server */
	int rwant, wwant;       /* what the conn's last try_read/try_write
	                         * waits for */
	int stdin_eof;          /* no more user data (EOF, Ctrl-D) */
	int wr_shut;            /* our direction is closed */
	int we_closed_first;
	int char_mode;          /* the UI sends each key as typed */
	int hold_net;           /* the UI is at nk>: the server's data
	                         * waits, as in telnet(1) */
	int done;               /* leave the loop with exit_code */
	int exit_code;
	nk_time quit_at, idle_at;
	nk_time eof_at;         /* the half-close, once input has ended and
	                         * the queue drained; moved on by server data */
	int sigpipe[2];
	int term_signal;        /* SIGTERM or SIGHUP ended the session */
	char *esc;              /* room for SAFE_MAX(sizeof dbuf) */
	unsigned char rbuf[16384];
	unsigned char dbuf[16384 + 1];
};

/* Runs the session until either side ends it; returns the exit status.
 * Frees nothing: main owns conn, tn and tls. */
int session_run(struct session *s);

/* Queues user bytes for the server, telnet-encoded when telnet is on. */
void session_send(struct session *s, const void *p, size_t n);

/* Queues bytes exactly as given (the escape prompt's `send`). */
void session_send_raw(struct session *s, const void *p, size_t n);

/* The user has no more to send: the write side closes once the queue is
 * empty (FIN, or close_notify then FIN over TLS). */
void session_end_input(struct session *s);

/* Ends the loop with this status. */
void session_finish(struct session *s, int code);

/* A status line ("Trying ...", "Connected to ...") on stderr, shown when
 * interactive or verbose; through the UI when the line editor is on. */
void session_status(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The `status` report, one line at a time through session_status. */
void session_report(struct session *s);

/* The UI (ui.c), called by the loop in interactive mode. */
int ui_start(struct session *s);
void ui_stop(struct session *s);
void ui_input(struct session *s);              /* stdin is readable */
void ui_output(struct session *s, const unsigned char *p, size_t n);
void ui_output_end(struct session *s);         /* the server closed */
void ui_message(struct session *s, const char *line);
/* The server's ECHO or SUPPRESS-GO-AHEAD changed: the UI picks its mode. */
void ui_modes(struct session *s);
void ui_signal(struct session *s, int sig);

#endif
