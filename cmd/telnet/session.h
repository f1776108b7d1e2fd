/* session: one connection's poll loop, over stdin, the connection and a
 * signal pipe, for both faces of nk telnet: a byte pipe when stdin is not
 * a terminal, the line-editing UI (ui.c) when stdin and stdout are. */
#ifndef NK_TELNET_SESSION_H
#define NK_TELNET_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "nk/buf.h"
#include "nk/conn.h"
#include "nk/telnet.h"
#include "nk/time.h"
#include "nk/tls.h"
#include "safe.h"
#include "sesslog.h"

struct session;

/* The session's face at a terminal: the one way the session reaches the
 * UI (ui.c gives tty_ui). The session knows nothing else of it; the UI in
 * turn drives the session only through the functions below and the
 * fields marked "the UI's" in struct session. NULL in a pipe: the session
 * then reads stdin and writes stdout itself.
 *
 * Every call comes from the session's loop (session_run), one at a time,
 * between start and the loop's end. */
struct session_ui {
	/* Before the loop: takes the terminal. 0, or -1 after saying why;
	 * the session then ends with NK_ERR_FAILED_INIT. */
	int (*start)(struct session *s);
	/* Gives the terminal back as the user had it, the server's
	 * unfinished line left on the screen as text. Called before an
	 * error message, when the server or a signal ends the session, and
	 * at the loop's end: calls after the first do nothing. */
	void (*stop)(struct session *s);
	/* stdin is readable: the UI reads what it needs and acts on it. */
	void (*input)(struct session *s);
	/* The server's text, already made safe for the terminal (s->safe);
	 * n may be 0 when the filter holds the bytes back. The text is the
	 * session's and lasts for the call. */
	void (*output)(struct session *s, const char *text, size_t n);
	/* A status line, without its newline (session_status). */
	void (*message)(struct session *s, const char *line);
	/* The server turned ECHO or SUPPRESS-GO-AHEAD on or off: the UI
	 * picks its mode (line, hidden or character at a time). */
	void (*modes)(struct session *s);
	/* SIGINT, SIGWINCH or SIGTSTP arrived (SIGTERM and SIGHUP end the
	 * session: stop is called instead). */
	void (*signal)(struct session *s, int sig);
};

struct session {
	/* Set up by main. */
	nk_conn *conn;
	nk_telnet *tn;          /* NULL with --raw */
	const char *host;       /* as the user gave it */
	int port;
	const struct session_ui *ui; /* stdin and stdout are terminals;
	                         * NULL in a pipe */
	int verbose;            /* 1: status lines, 2: negotiation trace */
	int lf;                 /* lines end with LF, not CRLF; the UI's
	                         * after start (crlf, lf) */
	int escape_char;        /* -e; -1 for none */
	int crlf;               /* -C: piped LF goes out as CR LF */
	int64_t quit_ms;        /* -q; -1 for none */
	int64_t idle_ms;        /* --idle-timeout or -w; 0 for none */
	const char *idle_opt;   /* which of the two, for the message */
	int64_t eof_wait_ms;    /* --eof-wait: the server's quiet time
	                         * before our half-close; 0: at once */
	char *history;          /* history file, or NULL; main frees it */
	const nk_tls_info *tls; /* NULL for plain TCP */
	struct safe safe;       /* the filter for a terminal's output; the
	                         * UI sets edits with its mode */
	int escape_output;      /* stdout is a terminal, no --raw-output */
	nk_time start;
	struct sesslog *log;    /* --hexdump and -o */

	/* Loop state. */
	nk_buf netout;          /* queued for the server */
	int rwant, wwant;       /* what the conn's last try_read/try_write
	                         * waits for */
	int stdin_eof;          /* no more user data (EOF, Ctrl-D) */
	int last_cr;            /* -C: the last byte read from stdin was CR */
	int wr_shut;            /* our direction is closed */
	int we_closed_first;
	int peer_eof;           /* the server closed its side first (in a
	                         * pipe): our input still goes to it */
	int char_mode;          /* the UI's: it sends each key as typed */
	int hold_net;           /* the UI's: it is at nk>, and the
	                         * server's data waits, as in telnet(1) */
	int done;               /* leave the loop with exit_code */
	int exit_code;
	const char *ended;      /* how, for --json: "server-closed",
	                         * "quit", "idle-timeout", "error", ... */
	nk_err end_err;         /* the error that ended it, and its */
	char end_msg[NK_ERR_MSG_LEN]; /* message */
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

/* Says how the session ended (--json), unless something already did. */
void session_ended(struct session *s, const char *how);

/* SIGTERM or SIGHUP (or its like, a terminal gone) ends the session: the
 * UI stops, and main ends the process by the same signal. */
void session_end_by_signal(struct session *s, int sig);

/* A status line ("Trying ...", "Connected to ...") on stderr, shown at a
 * terminal or when verbose; through the UI when there is one. */
void session_status(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The `status` report, one line at a time through session_status. */
void session_report(struct session *s);

#endif
