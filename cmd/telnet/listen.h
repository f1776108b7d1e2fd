/* listen: nk telnet -l, the server side: listening sockets and accepting
 * one connection at a time, and with --tls the server's handshake. */
#ifndef NK_TELNET_LISTEN_H
#define NK_TELNET_LISTEN_H

#include <stddef.h>
#include "nk/conn.h"
#include "nk/err.h"
#include "nk/tls.h"

struct session;

struct listener {
	int fds[8];
	size_t n;
};

/* Listens on host:port (host NULL: every address), family 0, 4 or 6.
 * Errors as nk_listen. */
nk_err listener_open(struct listener *l, const char *host, int port,
                     int family, char *errmsg);

/* Waits (without end) for the next connection on any of l's sockets and
 * makes it a conn. */
nk_err listener_accept(struct listener *l, nk_conn **out, char *errmsg);

void listener_close(struct listener *l);

/* -l --tls: the handshake on the accepted s->conn, before deadline, into
 * *tls (the caller clears it); on success s->tls is set and, verbose,
 * what was agreed and who the client's certificate says it is goes to
 * stderr. Errors as nk_tls_accept; the conn is then unusable. */
nk_err listener_tls(struct session *s, nk_tls_ctx *ctx, nk_time deadline,
                    nk_tls_info *tls, char *errmsg);

#endif
