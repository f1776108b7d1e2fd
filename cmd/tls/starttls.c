/* starttls: greeting, capability check and the upgrade command for each
 * protocol (RFC 3207 SMTP, RFC 9051 section 6.2.1 IMAP, RFC 2595 POP3,
 * RFC 4217 FTP). Lines are read in whole chunks, so the last reply must end
 * what the server sends: bytes after the go-ahead would be plain text
 * smuggled into the TLS session (the STARTTLS command injection of
 * CVE-2011-0411), and are refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nk/nk.h"
#include "starttls.h"

#define LINE_MAX_LEN 4096
#define REPLY_MAX_LINES 200

struct lines {
	nk_conn *c;
	nk_time deadline;
	FILE *trace;
	char buf[LINE_MAX_LEN * 2];
	size_t len;                    /* bytes in buf */
	char line[LINE_MAX_LEN + 1];   /* the last line, without CR LF */
	const char *proto;             /* "SMTP", for messages */
};

/* The line for a message or the trace, under libnk's rule, cut near 120
 * bytes. */
static const char *
shown(const char *s, char *out, size_t len)
{
	nk_text_escape_to(out, len < 124 ? len : 124, s, strlen(s), 0);
	return out;
}

static void
trace(struct lines *l, char dir, const char *s)
{
	char buf[160];
	if (l->trace)
		fprintf(l->trace, "%c %s\n", dir, shown(s, buf, sizeof buf));
}

/* Reads one line into l->line. */
static nk_err
read_line(struct lines *l, char *errmsg)
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
			trace(l, '<', l->line);
			return NK_OK;
		}
		if (l->len >= LINE_MAX_LEN)
			return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
			                  "STARTTLS: %s server sent a line "
			                  "longer than %d bytes", l->proto,
			                  LINE_MAX_LEN);
		size_t got;
		nk_err e = nk_conn_read(l->c, l->buf + l->len,
		                        sizeof l->buf - l->len, l->deadline, &got,
		                        errmsg);
		if (e)
			return e;
		if (got == 0)
			return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
			                  "STARTTLS: %s server closed the "
			                  "connection", l->proto);
		l->len += got;
	}
}

static nk_err
send_line(struct lines *l, const char *s, char *errmsg)
{
	char buf[128];
	trace(l, '>', s);
	snprintf(buf, sizeof buf, "%s\r\n", s);
	return nk_conn_write(l->c, buf, strlen(buf), l->deadline, errmsg);
}

/* A reply in the "NNN-text" ... "NNN text" form of SMTP and FTP (RFC 5321
 * section 4.2.1, RFC 959 section 4.2): reads it whole and returns its
 * code, or -1 for a line that is not one. `each` sees every line's text. */
static int
read_coded(struct lines *l, void (*each)(const char *text, void *arg),
           void *arg, char *errmsg, nk_err *e)
{
	int code = -1;
	for (int n = 0; n < REPLY_MAX_LINES; n++) {
		if ((*e = read_line(l, errmsg)) != NK_OK)
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

static void
find_starttls(const char *text, void *arg)
{
	size_t n = strlen("STARTTLS");
	if (strncasecmp(text, "STARTTLS", n) == 0 &&
	    (text[n] == '\0' || text[n] == ' '))
		*(int *)arg = 1;
}

static nk_err
unexpected(struct lines *l, const char *what, char *errmsg)
{
	char buf[160];
	return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	                  "STARTTLS: %s %s: %s", l->proto, what,
	                  shown(l->line, buf, sizeof buf));
}

static nk_err
smtp(struct lines *l, char *errmsg)
{
	nk_err e = NK_OK;
	int offered = 0;
	if (read_coded(l, NULL, NULL, errmsg, &e) != 220)
		return e ? e : unexpected(l, "server did not greet with 220", errmsg);
	/* Any name will do for EHLO here; s_client sends a made-up one too. */
	if ((e = send_line(l, "EHLO nk.invalid", errmsg)) != NK_OK)
		return e;
	if (read_coded(l, find_starttls, &offered, errmsg, &e) != 250)
		return e ? e : unexpected(l, "server refused EHLO", errmsg);
	if (!offered)
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: SMTP server does not offer STARTTLS");
	if ((e = send_line(l, "STARTTLS", errmsg)) != NK_OK)
		return e;
	if (read_coded(l, NULL, NULL, errmsg, &e) != 220)
		return e ? e : unexpected(l, "server refused STARTTLS", errmsg);
	return NK_OK;
}

static nk_err
ftp(struct lines *l, char *errmsg)
{
	nk_err e = NK_OK;
	if (read_coded(l, NULL, NULL, errmsg, &e) != 220)
		return e ? e : unexpected(l, "server did not greet with 220", errmsg);
	if ((e = send_line(l, "AUTH TLS", errmsg)) != NK_OK)
		return e;
	if (read_coded(l, NULL, NULL, errmsg, &e) != 234)
		return e ? e : unexpected(l, "server refused AUTH TLS", errmsg);
	return NK_OK;
}

static nk_err
imap(struct lines *l, char *errmsg)
{
	nk_err e;
	if ((e = read_line(l, errmsg)) != NK_OK)
		return e;
	if (strncasecmp(l->line, "* OK", 4) != 0)
		return unexpected(l, "server did not greet with * OK", errmsg);
	if ((e = send_line(l, "a001 STARTTLS", errmsg)) != NK_OK)
		return e;
	/* Untagged lines ("* CAPABILITY ...") may come first. */
	for (int n = 0; n < REPLY_MAX_LINES; n++) {
		if ((e = read_line(l, errmsg)) != NK_OK)
			return e;
		if (strncmp(l->line, "* ", 2) == 0)
			continue;
		if (strncasecmp(l->line, "a001 OK", 7) == 0 &&
		    (l->line[7] == '\0' || l->line[7] == ' '))
			return NK_OK;
		return unexpected(l, "server refused STARTTLS", errmsg);
	}
	return unexpected(l, "server never answered STARTTLS", errmsg);
}

static nk_err
pop3(struct lines *l, char *errmsg)
{
	nk_err e;
	if ((e = read_line(l, errmsg)) != NK_OK)
		return e;
	if (strncmp(l->line, "+OK", 3) != 0)
		return unexpected(l, "server did not greet with +OK", errmsg);
	if ((e = send_line(l, "STLS", errmsg)) != NK_OK)
		return e;
	if ((e = read_line(l, errmsg)) != NK_OK)
		return e;
	if (strncmp(l->line, "+OK", 3) != 0)
		return unexpected(l, "server refused STLS", errmsg);
	return NK_OK;
}

static const struct proto {
	const char *name, *upper;
	int port;
	nk_err (*run)(struct lines *, char *);
} protos[] = {
	{ "smtp", "SMTP", 25, smtp },
	{ "imap", "IMAP", 143, imap },
	{ "pop3", "POP3", 110, pop3 },
	{ "ftp", "FTP", 21, ftp },
};

static const struct proto *
find(const char *name)
{
	for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
		if (strcmp(protos[i].name, name) == 0)
			return &protos[i];
	return NULL;
}

int
starttls_port(const char *proto)
{
	const struct proto *p = find(proto);
	return p ? p->port : 443;
}

nk_err
starttls_run(nk_conn *c, const char *proto, nk_time deadline,
             int64_t timeout_ms, FILE *tr, char *errmsg)
{
	const struct proto *p = find(proto);
	if (!p)
		return nk_err_set(errmsg, NK_ERR_FAILED_INIT,
		                  "unknown STARTTLS protocol '%s'", proto);
	/* 12 KB, off the stack, and one per call: a fleet check runs
	 * several dialogues at once, in threads. */
	struct lines *l = calloc(1, sizeof *l);
	if (!l)
		return nk_err_set(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	nk_time own = nk_deadline_in_ms(timeout_ms);
	l->c = c;
	l->deadline = nk_deadline_min(deadline, own);
	l->trace = tr;
	l->proto = p->upper;
	nk_err e = p->run(l, errmsg);
	if (e == NK_ERR_OPERATION_TIMEDOUT && l->deadline == own)
		e = nk_err_set(errmsg, e, "STARTTLS: the %s dialogue took "
		               "longer than %g s (--starttls-timeout)",
		               p->upper, (double)timeout_ms / 1000.0);
	else if (!e && (l->len > 0 || nk_conn_pending(c) > 0))
		e = nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		               "STARTTLS: %s server sent data after "
		               "agreeing to start TLS", p->upper);
	free(l);
	return e;
}
