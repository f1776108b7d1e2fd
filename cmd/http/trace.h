/* --trace, --trace-ascii, --trace-time and --trace-ids of nk http:
 * curl's dump of every byte sent and received (after TLS), and the time
 * and id prefixes that -v lines get too. */
#ifndef NK_HTTP_TRACE_H
#define NK_HTTP_TRACE_H

#include <stddef.h>
#include <stdio.h>

#include "nk/fetch.h"

enum { TRACE_NONE, TRACE_BIN, TRACE_ASCII };

struct trace_opt {
	const char *file;           /* --trace FILE: "-" stdout, "%" stderr */
	int type;                   /* TRACE_*: the last of --trace and
	                               --trace-ascii */
	int time, ids;              /* --trace-time, --trace-ids */
};

/* What the prefixes say for one transfer: its number and its current
 * connection's (-1 before one is known). */
struct trace_ids {
	long xfer, conn;
};

/* The prefix of a trace or -v line: "HH:MM:SS.uuuuuu " with
 * --trace-time, "[X-C] " with --trace-ids, or "". */
void trace_prefix(const struct trace_opt *t, const struct trace_ids *id,
                  char *buf, size_t cap);

/* Learns the connection's number from the fetcher's info lines. */
void trace_ids_see(struct trace_ids *id, const char *line, size_t len);

/* The trace stream, opened (truncated) on the first use; when FILE cannot
 * be opened, stderr, as curl does (tried again each time). */
FILE *trace_stream(const struct trace_opt *t);

/* "== Info: LINE" */
void trace_info(const struct trace_opt *t, const struct trace_ids *id,
                const char *line, size_t len);

/* One dump: "=> Send header, N bytes (0xN)" and the bytes, in hex and
 * ASCII (--trace) or ASCII alone, a line at each CRLF (--trace-ascii). */
void trace_dump(const struct trace_opt *t, const struct trace_ids *id,
                const char *what, const char *data, size_t len);

/* A received head: a dump for each line, as curl makes. */
void trace_head_in(const struct trace_opt *t, const struct trace_ids *id,
                   const char *head, size_t len);

/* The fetcher's trace callback for a trace: info lines, heads and TLS
 * summaries (warnings are not the trace's). */
void trace_event(const struct trace_opt *t, struct trace_ids *id,
                 nk_fetch_trace what, const char *data, size_t len,
                 const void *obj);

/* Its wire callback: the bodies. */
void trace_wire(const struct trace_opt *t, const struct trace_ids *id,
                int out, const char *data, size_t len);

#endif
