/* starttls: the plain-text exchange that precedes TLS on SMTP, IMAP, POP3,
 * FTP, LMTP, NNTP, ManageSieve, IRC, XMPP, LDAP, PostgreSQL and MySQL, as
 * openssl s_client -starttls does it. */
#ifndef NK_TLS_STARTTLS_H
#define NK_TLS_STARTTLS_H

#include <stdio.h>
#include "nk/conn.h"

/* The protocol names --starttls takes. */
#define STARTTLS_CHOICES "smtp|imap|pop3|ftp|lmtp|nntp|sieve|irc|xmpp|xmpp-server|" \
                         "ldap|postgres|mysql"

/* The usual port of a protocol's plain-text service (25, 143, 110, 21,
 * ...: the table in starttls.c). */
int starttls_port(const char *proto);

/* --starttls-timeout's default: a greeting and a few short replies take
 * a live server milliseconds; a peer that speaks some other protocol (an
 * HTTP port) says nothing at all, and must not hold the run for the
 * connect timeout. */
#define STARTTLS_TIMEOUT_MS 10000

/* Runs the exchange on the plain conn until the server agrees to start
 * TLS; blocks until then, the deadline, or timeout_ms from now (the
 * dialogue's own limit, named in the message when it is the one that
 * ends it; 0: none). `name` is the server's name, the domain XMPP's
 * stream header names (NULL: XMPP refuses to start). With `trace` (may be NULL) every
 * line sent and received goes there, terminal-safe, as "> line" / "< line".
 * Errors: NK_ERR_SSL_CONNECT_ERROR (the server refused, does not offer
 * STARTTLS, said something unexpected, closed the connection, or sent data
 * after its go-ahead), NK_ERR_OPERATION_TIMEDOUT, the conn's read and
 * write errors. */
nk_err starttls_run(nk_conn *c, const char *proto, const char *name,
                    nk_time deadline, int64_t timeout_ms, FILE *trace,
                    char *errmsg);

#endif
