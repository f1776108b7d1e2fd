/* listen: nk telnet -l, the server side: listening sockets and accepting
 * one connection at a time, and with --tls the server's handshake. */
#ifndef NK_TELNET_LISTEN_H
#define NK_TELNET_LISTEN_H

#include <stddef.h>
#include <sys/types.h>
#include "nk/conn.h"
#include "nk/err.h"
#include "nk/tls.h"

struct session;

struct listener {
	int fds[8];
	size_t n;
	const char *path;       /* -l -U: the socket file we made, or NULL */
	dev_t dev;              /* and which file it is, so that only it */
	ino_t ino;              /* is removed */
};

/* Listens on host:port (host NULL: every address), family 0, 4 or 6.
 * Errors as nk_listen. */
nk_err listener_open(struct listener *l, const char *host, int port,
                     int family, char *errmsg);

/* Waits (without end) for the next connection on any of l's sockets and
 * makes it a conn. */
nk_err listener_accept(struct listener *l, nk_conn **out, char *errmsg);

/* Closes the sockets, and removes -l -U's socket file. */
void listener_close(struct listener *l);

/* -l -U PATH (unixlisten.c): listens on a new Unix stream socket at path
 * (kept, not copied: it must outlive l). A socket file already at path
 * that nobody listens on (a server gone without removing it) is
 * replaced; anything else there is NK_ERR_FAILED_INIT: not a socket, a
 * socket in use, a path too long, bind's own reasons. */
nk_err listener_open_unix(struct listener *l, const char *path,
                          char *errmsg);

/* While nk waits for the next client, SIGTERM, SIGHUP and SIGINT remove
 * l's socket file before ending nk by the same signal. Nothing for TCP. */
void listener_guard(const struct listener *l);

/* Removes l's socket file if it is still the one we made. */
void listener_unlink(struct listener *l);

/* -l --tls: the handshake on the accepted s->conn, before deadline, into
 * *tls (the caller clears it); on success s->tls is set and, verbose,
 * what was agreed and who the client's certificate says it is goes to
 * stderr. Errors as nk_tls_accept; the conn is then unusable. */
nk_err listener_tls(struct session *s, nk_tls_ctx *ctx, nk_time deadline,
                    nk_tls_info *tls, char *errmsg);

#endif
