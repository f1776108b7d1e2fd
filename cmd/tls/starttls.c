/* starttls: the shared reader, the protocol table, and the dialogues of
 * SMTP and LMTP (RFC 3207, RFC 2033), IMAP (RFC 9051 section 6.2.1), POP3
 * (RFC 2595) and FTP (RFC 4217); the others are in starttls_text.c and
 * starttls_bin.c. Lines are read in whole chunks, so the last reply must end
 * what the server sends: bytes after the go-ahead would be plain text
 * smuggled into the TLS session (the STARTTLS command injection of
 * CVE-2011-0411), and are refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nk/nk.h"
#include "starttls.h"
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

/* SMTP and LMTP (RFC 3207; RFC 2033 section 4.1: LHLO in place of
 * EHLO, the rest as SMTP). */
static nk_err
smtp_like(struct lines *l, const char *hello, char *errmsg)
{
	nk_err e = NK_OK;
	int offered = 0;
	char what[64];
	if (stls_read_coded(l, NULL, NULL, errmsg, &e) != 220)
		return e ? e : stls_unexpected(l, "server did not greet with 220", errmsg);
	/* Any name will do here; s_client sends a made-up one too. */
	snprintf(what, sizeof what, "%s nk.invalid", hello);
	if ((e = stls_send_line(l, what, errmsg)) != NK_OK)
		return e;
	snprintf(what, sizeof what, "server refused %s", hello);
	if (stls_read_coded(l, stls_find_starttls, &offered, errmsg, &e) != 250)
		return e ? e : stls_unexpected(l, what, errmsg);
	if (!offered)
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: %s server does not offer STARTTLS",
		                  l->proto);
	if ((e = stls_send_line(l, "STARTTLS", errmsg)) != NK_OK)
		return e;
	if (stls_read_coded(l, NULL, NULL, errmsg, &e) != 220)
		return e ? e : stls_unexpected(l, "server refused STARTTLS", errmsg);
	return NK_OK;
}

static nk_err
smtp(struct lines *l, char *errmsg)
{
	return smtp_like(l, "EHLO", errmsg);
}

static nk_err
lmtp(struct lines *l, char *errmsg)
{
	return smtp_like(l, "LHLO", errmsg);
}

static nk_err
ftp(struct lines *l, char *errmsg)
{
	nk_err e = NK_OK;
	if (stls_read_coded(l, NULL, NULL, errmsg, &e) != 220)
		return e ? e : stls_unexpected(l, "server did not greet with 220", errmsg);
	if ((e = stls_send_line(l, "AUTH TLS", errmsg)) != NK_OK)
		return e;
	if (stls_read_coded(l, NULL, NULL, errmsg, &e) != 234)
		return e ? e : stls_unexpected(l, "server refused AUTH TLS", errmsg);
	return NK_OK;
}

static nk_err
imap(struct lines *l, char *errmsg)
{
	nk_err e;
	if ((e = stls_read_line(l, errmsg)) != NK_OK)
		return e;
	if (strncasecmp(l->line, "* OK", 4) != 0)
		return stls_unexpected(l, "server did not greet with * OK", errmsg);
	if ((e = stls_send_line(l, "a001 STARTTLS", errmsg)) != NK_OK)
		return e;
	/* Untagged lines ("* CAPABILITY ...") may come first. */
	for (int n = 0; n < REPLY_MAX_LINES; n++) {
		if ((e = stls_read_line(l, errmsg)) != NK_OK)
			return e;
		if (strncmp(l->line, "* ", 2) == 0)
			continue;
		if (strncasecmp(l->line, "a001 OK", 7) == 0 &&
		    (l->line[7] == '\0' || l->line[7] == ' '))
			return NK_OK;
		return stls_unexpected(l, "server refused STARTTLS", errmsg);
	}
	return stls_unexpected(l, "server never answered STARTTLS", errmsg);
}

static nk_err
pop3(struct lines *l, char *errmsg)
{
	nk_err e;
	if ((e = stls_read_line(l, errmsg)) != NK_OK)
		return e;
	if (strncmp(l->line, "+OK", 3) != 0)
		return stls_unexpected(l, "server did not greet with +OK", errmsg);
	if ((e = stls_send_line(l, "STLS", errmsg)) != NK_OK)
		return e;
	if ((e = stls_read_line(l, errmsg)) != NK_OK)
		return e;
	if (strncmp(l->line, "+OK", 3) != 0)
		return stls_unexpected(l, "server refused STLS", errmsg);
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
	/* The ports openssl s_client -starttls and testssl.sh assume. */
	{ "lmtp", "LMTP", 24, lmtp },
	{ "nntp", "NNTP", 119, stls_nntp },
	{ "sieve", "Sieve", 4190, stls_sieve },
	{ "irc", "IRC", 6667, stls_irc },
	{ "xmpp", "XMPP", 5222, stls_xmpp },
	{ "xmpp-server", "XMPP", 5269, stls_xmpp_server },
	{ "ldap", "LDAP", 389, stls_ldap },
	{ "postgres", "PostgreSQL", 5432, stls_postgres },
	{ "mysql", "MySQL", 3306, stls_mysql },
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
starttls_run(nk_conn *c, const char *proto, const char *name,
             nk_time deadline, int64_t timeout_ms, FILE *tr, char *errmsg)
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
	l->name = name;
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
