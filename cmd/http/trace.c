/* trace.c: --trace and --trace-ascii, in curl's format (tool_cb_dbg.c):
 * "== Info: " lines and dumps of 16 bytes a line in hex and ASCII, or
 * 64 in ASCII alone with a new line after each CRLF; bytes below 0x20
 * and from 0x7f up are '.'. --trace-time and --trace-ids prefix each
 * block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "nk/tls.h"
#include "http.h"
#include "tlsreport.h"
#include "trace.h"

void
trace_prefix(const struct trace_opt *t, const struct trace_ids *id,
             char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	if (t->time) {
		struct timeval tv;
		struct tm tm;
		gettimeofday(&tv, NULL);
		time_t secs = tv.tv_sec;
		localtime_r(&secs, &tm);
		n = (size_t)snprintf(buf, cap, "%02d:%02d:%02d.%06ld ", tm.tm_hour,
		                     tm.tm_min, tm.tm_sec, (long)tv.tv_usec);
		if (n >= cap)
			return;
	}
	if (t->ids && id) {
		if (id->conn >= 0)
			snprintf(buf + n, cap - n, "[%ld-%ld] ", id->xfer, id->conn);
		else
			snprintf(buf + n, cap - n, "[%ld-x] ", id->xfer);
	}
}

/* The number after '#' in "Connected to ... (#N)" or "Re-using existing
 * connection #N ...". */
void
trace_ids_see(struct trace_ids *id, const char *line, size_t len)
{
	static const char conn[] = "Connected to ";
	static const char reuse[] = "Re-using existing connection #";
	const char *h = NULL;
	if (len >= sizeof reuse - 1 && memcmp(line, reuse, sizeof reuse - 1) == 0)
		h = line + sizeof reuse - 2;
	else if (len >= sizeof conn - 1 && memcmp(line, conn, sizeof conn - 1) == 0)
		for (size_t k = len; k-- > 0 && !h;)
			if (line[k] == '#')
				h = line + k;
	if (!h || h + 1 >= line + len || h[1] < '0' || h[1] > '9')
		return;
	long n = 0;
	for (h++; h < line + len && *h >= '0' && *h <= '9' && n < 100000000; h++)
		n = n * 10 + (*h - '0');
	id->conn = n;
}

static FILE *
open_stream(const struct trace_opt *t)
{
	static FILE *f;
	if (f)
		return f;
	if (strcmp(t->file, "-") == 0)
		return f = stdout;
	if (strcmp(t->file, "%") == 0)
		return f = stderr;
	f = fopen(t->file, "w");
	return f ? f : stderr;
}

FILE *
trace_stream(const struct trace_opt *t)
{
	FILE *f = open_stream(t);
	/* The body gathered for stdout goes before what the trace adds. */
	if (f == stdout) {
		char msg[NK_ERR_MSG_LEN];
		(void)sink_flush(msg);
	}
	return f;
}

void
trace_info(const struct trace_opt *t, const struct trace_ids *id,
           const char *line, size_t len)
{
	char pre[64];
	trace_prefix(t, id, pre, sizeof pre);
	FILE *f = trace_stream(t);
	fprintf(f, "%s== Info: %.*s\n", pre, (int)len, line);
	fflush(f);
}

static int
crlf_at(const unsigned char *p, size_t i, size_t size)
{
	return i + 1 < size && p[i] == '\r' && p[i + 1] == '\n';
}

void
trace_dump(const struct trace_opt *t, const struct trace_ids *id,
           const char *what, const char *data, size_t size)
{
	const unsigned char *p = (const unsigned char *)data;
	int ascii = t->type == TRACE_ASCII;
	size_t width = ascii ? 0x40 : 0x10;
	char pre[64];
	trace_prefix(t, id, pre, sizeof pre);
	FILE *f = trace_stream(t);
	fprintf(f, "%s%s, %zu bytes (0x%zx)\n", pre, what, size, size);
	for (size_t i = 0; i < size;) {
		size_t next = i + width;
		fprintf(f, "%04zx: ", i);
		for (size_t c = 0; !ascii && c < width; c++) {
			if (i + c < size)
				fprintf(f, "%02x ", p[i + c]);
			else
				fputs("   ", f);
		}
		for (size_t c = 0; c < width && i + c < size; c++) {
			/* A CRLF ends the line, and is not shown. */
			if (ascii && crlf_at(p, i + c, size)) {
				next = i + c + 2;
				break;
			}
			fputc(p[i + c] >= 0x20 && p[i + c] < 0x7f ? p[i + c] : '.', f);
			if (ascii && crlf_at(p, i + c + 1, size)) {
				next = i + c + 3;
				break;
			}
		}
		fputc('\n', f);
		i = next;
	}
	fflush(f);
}

void
trace_head_in(const struct trace_opt *t, const struct trace_ids *id,
              const char *head, size_t len)
{
	while (len > 0) {
		const char *nl = memchr(head, '\n', len);
		size_t n = nl ? (size_t)(nl - head) + 1 : len;
		trace_dump(t, id, "<= Recv header", head, n);
		head += n;
		len -= n;
	}
}

void
trace_event(const struct trace_opt *t, struct trace_ids *id,
            nk_fetch_trace what, const char *data, size_t len,
            const void *obj)
{
	switch (what) {
	case NK_FETCH_INFO:
		trace_ids_see(id, data, len);
		trace_info(t, id, data, len);
		break;
	case NK_FETCH_HEAD_OUT:
		trace_dump(t, id, "=> Send header", data, len);
		break;
	case NK_FETCH_HEAD_IN:
		trace_head_in(t, id, data, len);
		break;
	case NK_FETCH_TLS:
	case NK_FETCH_PROXY_TLS: {
		char host[256], pre[80];
		snprintf(host, sizeof host, "%.*s", (int)len, data);
		trace_prefix(t, id, pre, sizeof pre);
		strncat(pre, "== Info: ", sizeof pre - strlen(pre) - 1);
		FILE *f = trace_stream(t);
		if (what == NK_FETCH_PROXY_TLS) {
			fprintf(f, "%sProxy certificate:\n", pre);
			strncat(pre, " ", sizeof pre - strlen(pre) - 1);
		}
		tlsreport_summary(f, obj, host, pre);
		fflush(f);
		break;
	}
	case NK_FETCH_WARNING:
		break;
	}
}

void
trace_wire(const struct trace_opt *t, const struct trace_ids *id, int out,
           const char *data, size_t len)
{
	trace_dump(t, id, out ? "=> Send data" : "<= Recv data", data, len);
}
