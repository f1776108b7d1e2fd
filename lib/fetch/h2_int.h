/* h2_int.h: HTTP/2 in the fetch layer (never installed).
 *
 * h2.c owns one connection's HTTP/2 session (struct h2: libnghttp2's
 * nghttp2_session and the streams open on it). It touches no socket: it
 * is fed the bytes read from the connection (h2_feed) and asked for the
 * bytes to write (h2_out); h2x.c drives it over an nk_conn for
 * exchange.c and body.c, each exchange one stream, several at once when
 * transfers run as tasks (nk/task.h).
 *
 * Ownership: a struct h2 belongs to the struct pooled of its connection
 * (pool_drop frees it). The request body source (struct src) is the
 * run's, borrowed for the stream. Errors: functions returning nk_err
 * write errmsg, in the words the user sees: NK_ERR_HTTP2 for the
 * connection (a framing error, GOAWAY, a session nghttp2 ended),
 * NK_ERR_HTTP2_STREAM for a stream the server reset, as curl's codes. */
#ifndef NK_FETCH_H2_INT_H
#define NK_FETCH_H2_INT_H

#include <stddef.h>
#include <stdint.h>

#include <nghttp2/nghttp2.h>

#include "nk/err.h"

struct src;

/* Flow-control windows we give the server: large, so a fast download
 * never waits for a WINDOW_UPDATE (bandwidth-delay products of loopback
 * and LANs fit many times over). The stream's is curl's 32 MiB. */
#define H2_STREAM_WINDOW (32 * 1024 * 1024)
#define H2_CONN_WINDOW (64 * 1024 * 1024)
/* What one read from the connection takes in (h2x.c). */
#define H2_READ (256 * 1024)
/* What one write to the connection gathers at most (h2x.c). */
#define H2_WRITE (64 * 1024)

struct nk_task;

/* A stream, for its driver: what the server did with it so far. The
 * fields after `got` are h2.c's. */
struct h2_stream {
	int32_t id;
	int head_done;          /* the final response head is in h2_head */
	int closed;             /* the stream ended (its body is whole when
	                           code is 0 and it was not reset) */
	uint32_t code;          /* the error code it closed with */
	int reset;              /* the server sent RST_STREAM */
	int refused;            /* the server never processed it (GOAWAY
	                           below its id, or REFUSED_STREAM): a new
	                           connection may take it again */
	int too_big;            /* its head passed the limit */
	int src_wait;           /* the body source has nothing yet: poll it */
	int paced;              /* ... or --limit-rate's bucket is empty */
	int src_done;           /* the whole body went (END_STREAM queued) */
	nk_err src_err;         /* reading the body failed: why */
	char src_msg[NK_ERR_MSG_LEN];
	uint64_t sent;          /* body bytes given to DATA frames */
	int got;                /* the server sent something on it */
	struct nk_task *waiter; /* the task parked for news of it, or NULL:
	                           woken when any of the above changes or
	                           data comes */

	struct h2 *h;
	struct src *src;
	struct pace *pace;
	struct h2_text {
		char *p;
		size_t len, cap;
	} head,                 /* the response head as nk shows it */
	  interim,              /* the 1xx heads before it, one after another */
	  trailers;             /* "name: value\r\n" lines after the body */
	int status;
	char *data;             /* body data not taken yet, data[off..len) */
	size_t data_off, data_len, data_cap;
	char *sink;             /* where data lands first (h2_sink) */
	size_t sink_cap, sink_len;
	struct h2_stream *next; /* the session's streams */
};

struct h2;

/* A client session: the connection preface and our SETTINGS are queued
 * for h2_out. max_head bounds a response head as nk shows it ("HTTP/2
 * 200 \r\n" and a line a field). NK_ERR_OUT_OF_MEMORY. */
nk_err h2_new(struct h2 **out, size_t max_head, char *errmsg);
/* Frees the session and any stream still on it (their owners must be
 * done with them). */
void h2_free(struct h2 *h);

/* Opens a stream, one of many the session multiplexes: nva as nghttp2
 * takes them (names lower case), and the body from src when not NULL
 * (sent bytes count in st->sent), as fast as pace allows (NULL: no
 * limit). *out is the caller's until h2_close. NK_ERR_HTTP2 when nghttp2
 * refuses it, NK_ERR_OUT_OF_MEMORY. */
struct pace;
nk_err h2_request(struct h2 *h, const nghttp2_nv *nva, size_t n,
                  struct src *src, struct pace *pace, struct h2_stream **out,
                  char *errmsg);

/* Ends the caller's hold on a stream: one still open is reset (CANCEL);
 * data it held is given back to the connection's window. NULL-safe. */
void h2_close(struct h2_stream *st);

/* Feeds the n bytes read from the connection, all of them: each
 * stream's events and data land in it (and wake its waiter).
 * NK_ERR_HTTP2 when the session failed. */
nk_err h2_feed(struct h2 *h, const uint8_t *p, size_t n, char *errmsg);

/* Bytes to write to the connection now (0: nothing), valid until the
 * next h2_out. NK_ERR_HTTP2 if the session failed. */
nk_err h2_out(struct h2 *h, const uint8_t **p, size_t *n, char *errmsg);

/* Gives the stream's body data a place to land as it is fed: dst[0..cap),
 * until h2_take (which must be given the same dst) or the next h2_sink.
 * Data already held moves there first. NULL: none. */
void h2_sink(struct h2_stream *st, char *dst, size_t cap);

/* Moves up to cap bytes of the stream's body data to dst (the sink's
 * bytes, when a sink is set: they are there already); returns how many,
 * ends the sink, and lets the server send as much more. */
size_t h2_take(struct h2_stream *st, char *dst, size_t cap);

/* Whether body data waits for h2_take. */
int h2_has_data(const struct h2_stream *st);

/* The final response head, "HTTP/2 200 \r\n" and "name: value\r\n"
 * lines and the empty line; *len its length. The interim (1xx) heads
 * that came before it are st->interim, each in the same form, and the
 * trailer fields after the body st->trailers, as "name: value\r\n"
 * lines; each of the three is bounded by the session's max_head (a head
 * over it resets the stream; trailers over it are not kept). */
const char *h2_head(const struct h2_stream *st, size_t *len);

/* The session can carry another stream (no GOAWAY, no error). */
int h2_reusable(const struct h2 *h);

/* The session wants to read or write more (it is not over). */
int h2_live(const struct h2 *h);

/* The connection-level error (GOAWAY received, a framing error, the
 * session ended) in words, "" when none. */
const char *h2_conn_error(const struct h2 *h);

/* The stream's body source got readable again: its DATA may go. */
void h2_resume(struct h2_stream *st);

/* Wakes every stream's waiter (the connection changed hands). */
void h2_wake_all(struct h2 *h);

#endif
