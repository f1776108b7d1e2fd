/* starttls_io: what the STARTTLS dialogues of starttls.c, starttls_text.c
 * and starttls_bin.c share: one `struct lines` a call (never static: the
 * fleet and --probe run dialogues in threads), the bounded line reader,
 * the byte reader of the binary protocols, and the trace. Internal to
 * nk-tls. Every function returns NK_OK or an error with errmsg set. */
#ifndef NK_TLS_STARTTLS_IO_H
#define NK_TLS_STARTTLS_IO_H

#include <stdio.h>
#include "nk/nk.h"

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
	const char *name;              /* the server's name (XMPP's to=) */
};

/* s made terminal-safe into out (len bytes), cut near 120 bytes. */
const char *stls_shown(const char *s, char *out, size_t len);
/* "> s" or "< s" on the trace, when there is one. */
void stls_trace(struct lines *l, char dir, const char *s);
/* One line into l->line; a line over LINE_MAX_LEN or the server closing
 * is NK_ERR_SSL_CONNECT_ERROR. */
nk_err stls_read_line(struct lines *l, char *errmsg);
/* s and CR LF; s is ours (no user bytes), under 126 bytes. */
nk_err stls_send_line(struct lines *l, const char *s, char *errmsg);
/* n bytes as they are, `shown` on the trace. */
nk_err stls_send_raw(struct lines *l, const void *p, size_t n,
                     const char *shown, char *errmsg);
/* Waits until l->buf holds at least n bytes (n <= sizeof l->buf). */
nk_err stls_fill(struct lines *l, size_t n, char *errmsg);
/* Drops the first n bytes of l->buf. */
void stls_consume(struct lines *l, size_t n);
/* A "NNN text" / "NNN-text" reply of SMTP, FTP or NNTP: its code, or -1
 * (and *e set when a read failed). */
int stls_read_coded(struct lines *l,
                    void (*each)(const char *text, void *arg), void *arg,
                    char *errmsg, nk_err *e);
/* `each` for stls_read_coded: sets *(int *)arg when text is STARTTLS. */
void stls_find_starttls(const char *text, void *arg);
/* NK_ERR_SSL_CONNECT_ERROR: "STARTTLS: PROTO what: <the last line>". */
nk_err stls_unexpected(struct lines *l, const char *what, char *errmsg);

/* The dialogues of starttls_text.c and starttls_bin.c. */
nk_err stls_nntp(struct lines *l, char *errmsg);
nk_err stls_sieve(struct lines *l, char *errmsg);
nk_err stls_irc(struct lines *l, char *errmsg);
nk_err stls_xmpp(struct lines *l, char *errmsg);
nk_err stls_xmpp_server(struct lines *l, char *errmsg);
nk_err stls_ldap(struct lines *l, char *errmsg);
nk_err stls_postgres(struct lines *l, char *errmsg);
nk_err stls_mysql(struct lines *l, char *errmsg);

#endif
