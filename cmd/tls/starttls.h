/* starttls: the plain-text exchange that precedes TLS on SMTP, IMAP, POP3
 * and FTP, as openssl s_client -starttls does it. */
#ifndef NK_TLS_STARTTLS_H
#define NK_TLS_STARTTLS_H

#include <stdio.h>
#include "nk/conn.h"

/* The protocol names --starttls takes. */
#define STARTTLS_CHOICES "smtp|imap|pop3|ftp"

/* The usual port of a protocol's plain-text service (25, 143, 110, 21). */
int starttls_port(const char *proto);

/* Runs the exchange on the plain conn until the server agrees to start
 * TLS; blocks until then or the deadline. With `trace` (may be NULL) every
 * line sent and received goes there, terminal-safe, as "> line" / "< line".
 * Errors: NK_ERR_SSL_CONNECT_ERROR (the server refused, does not offer
 * STARTTLS, said something unexpected, closed the connection, or sent data
 * after its go-ahead), NK_ERR_OPERATION_TIMEDOUT, the conn's read and
 * write errors. */
nk_err starttls_run(nk_conn *c, const char *proto, nk_time deadline,
                    FILE *trace, char *errmsg);

#endif
