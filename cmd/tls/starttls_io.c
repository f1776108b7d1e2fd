/* starttls_io: the reader, writer and trace the STARTTLS dialogues share
 * (declared in starttls_io.h). Lines are read in whole chunks, so what
 * is left in the buffer after a go-ahead is what the server sent behind
 * it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nk/nk.h"
#include "starttls_io.h"

/* The line for a message or the trace, under libnk's rule, cut near 120
 * bytes. */
const char *
stls_shown(const char *s, char *out, size_t len)
{
	nk_text_escape_to(out, len < 124 ? len : 124, s, strlen(s), 0);
	return out;
}

void
stls_trace(struct lines *l, char dir, const char *s)
{
	char buf[160];
	if (l->trace)
		fprintf(l->trace, "%c %s\n", dir, stls_shown(s, buf, sizeof buf));
}

/* One read into the free end of l->buf; the end of the stream is an
 * error here, as every dialogue expects more. */
static nk_err
more(struct lines *l, char *errmsg)
{
	size_t got;
	nk_err e = nk_conn_read(l->c, l->buf + l->len, sizeof l->buf - l->len,
	                        l->deadline, &got, errmsg);
	if (e)
		return e;
	if (got == 0)
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: %s server closed the connection",
		                  l->proto);
	l->len += got;
	return NK_OK;
}

nk_err
stls_fill(struct lines *l, size_t n, char *errmsg)
{
	while (l->len < n) {
		nk_err e = more(l, errmsg);
		if (e)
			return e;
	}
	return NK_OK;
}

void
stls_consume(struct lines *l, size_t n)
{
	memmove(l->buf, l->buf + n, l->len - n);
	l->len -= n;
}

/* Reads one line into l->line. */
nk_err
stls_read_line(struct lines *l, char *errmsg)
{
	for (;;) {
		char *nl = memchr(l->buf, '\n', l->len);
		if (nl) {
			size_t n = (size_t)(nl - l->buf);
			size_t keep = n;
			if (keep > 0 && l->buf[keep - 1] == '\r')
				keep--;
			/* A whole line, end and all, can come in one read: the
			 * limit holds here too, not only while waiting for it. */
			if (keep > LINE_MAX_LEN)
				return nk_err_set(errmsg,
				                  NK_ERR_SSL_CONNECT_ERROR,
				                  "STARTTLS: %s server sent a line "
				                  "longer than %d bytes", l->proto,
				                  LINE_MAX_LEN);
			memcpy(l->line, l->buf, keep);
			l->line[keep] = '\0';
			memmove(l->buf, nl + 1, l->len - n - 1);
			l->len -= n + 1;
			stls_trace(l, '<', l->line);
			return NK_OK;
		}
		if (l->len >= LINE_MAX_LEN)
			return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
			                  "STARTTLS: %s server sent a line "
			                  "longer than %d bytes", l->proto,
			                  LINE_MAX_LEN);
		nk_err e = more(l, errmsg);
		if (e)
			return e;
	}
}

nk_err
stls_send_line(struct lines *l, const char *s, char *errmsg)
{
	char buf[128];
	stls_trace(l, '>', s);
	snprintf(buf, sizeof buf, "%s\r\n", s);
	return nk_conn_write(l->c, buf, strlen(buf), l->deadline, errmsg);
}

nk_err
stls_send_raw(struct lines *l, const void *p, size_t n, const char *shown,
              char *errmsg)
{
	stls_trace(l, '>', shown);
	return nk_conn_write(l->c, p, n, l->deadline, errmsg);
}

/* A reply in the "NNN-text" ... "NNN text" form of SMTP and FTP (RFC 5321
 * section 4.2.1, RFC 959 section 4.2): reads it whole and returns its
 * code, or -1 for a line that is not one. `each` sees every line's text. */
int
stls_read_coded(struct lines *l, void (*each)(const char *text, void *arg),
           void *arg, char *errmsg, nk_err *e)
{
	int code = -1;
	for (int n = 0; n < REPLY_MAX_LINES; n++) {
		if ((*e = stls_read_line(l, errmsg)) != NK_OK)
			return -1;
		const char *s = l->line;
		int ok = strlen(s) >= 3 && s[0] >= '1' && s[0] <= '5' &&
		         s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
		         (s[3] == '\0' || s[3] == ' ' || s[3] == '-');
		if (!ok) {
			/* FTP lets a multi-line reply carry other lines in between. */
			if (code >= 0)
				continue;
			return -1;
		}
		int c = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		if (code >= 0 && c != code)
			continue;
		code = c;
		if (each)
			each(s[3] ? s + 4 : "", arg);
		if (s[3] != '-')
			return code;
	}
	*e = nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	                "STARTTLS: %s reply longer than %d lines", l->proto,
	                REPLY_MAX_LINES);
	return -1;
}

void
stls_find_starttls(const char *text, void *arg)
{
	size_t n = strlen("STARTTLS");
	if (strncasecmp(text, "STARTTLS", n) == 0 &&
	    (text[n] == '\0' || text[n] == ' '))
		*(int *)arg = 1;
}

nk_err
stls_unexpected(struct lines *l, const char *what, char *errmsg)
{
	char buf[160];
	return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	                  "STARTTLS: %s %s: %s", l->proto, what,
	                  stls_shown(l->line, buf, sizeof buf));
}

