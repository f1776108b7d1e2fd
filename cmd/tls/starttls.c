/* starttls: the protocol table, starttls_run, and the dialogues of SMTP
 * and LMTP (RFC 3207, RFC 2033), IMAP (RFC 9051 section 6.2.1), POP3 (RFC
 * 2595) and FTP (RFC 4217); the others are in starttls_text.c and
 * starttls_bin.c, the shared reader in starttls_io.c. Lines are read in whole chunks, so the last reply must end
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

/* SMTP and LMTP (RFC 3207; RFC 2033 section 4.1: LHLO in place of
 * EHLO, the rest as SMTP). */
static nk_err
smtp(struct lines *l, char *errmsg)
{
	const char *hello = strcmp(l->proto, "LMTP") == 0 ? "LHLO" : "EHLO";
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
	{ "lmtp", "LMTP", 24, smtp },
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
