/* listen: nk telnet -l, the server side: listening sockets and accepting
 * one connection at a time. */
#ifndef NK_TELNET_LISTEN_H
#define NK_TELNET_LISTEN_H

#include <stddef.h>
#include "nk/conn.h"
#include "nk/err.h"

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

#endif
