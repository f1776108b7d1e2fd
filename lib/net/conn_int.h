/* conn internals: the operations a transport (plain TCP, TLS) provides.
 * Blocking reads and writes with deadlines are built once, in conn.c, on top
 * of these non-blocking operations and poll(). */
#ifndef NK_CONN_INT_H
#define NK_CONN_INT_H

#include <netinet/in.h>
#include "nk/conn.h"

struct nk_conn_ops {
	/* Non-blocking, as nk_conn_try_read / nk_conn_try_write. */
	nk_err (*read)(nk_conn *c, void *buf, size_t len, size_t *n, int *want,
	               char *errmsg);
	nk_err (*write)(nk_conn *c, const void *buf, size_t len, size_t *n,
	                int *want, char *errmsg);
	/* Non-blocking half-close: NK_OK with *want = 0 when done, or *want
	 * set when it must be called again after poll(). */
	nk_err (*shutdown)(nk_conn *c, int *want, char *errmsg);
	size_t (*pending)(const nk_conn *c);
	/* Frees the transport's state (impl); the fd is closed by conn.c. */
	void (*free)(nk_conn *c);
};

struct nk_conn {
	const struct nk_conn_ops *ops;
	void *impl;                     /* the transport's state */
	int fd;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	char peer_str[64];
	int peer_port;
	struct sockaddr_storage local;  /* our end, as getsockname said */
	socklen_t locallen;
	char local_str[64];
	int local_port;
	uint64_t bytes_in, bytes_out;
	int wr_shut;                    /* our direction is closed */
	int pipe[2];                    /* nk_conn_splice's, or -1: made at
	                                   its first use, closed with the conn */
	int splice_out;                 /* the out it last saw, and whether */
	int splice_direct;              /* that is a pipe (so no need of ours) */
	/* The far end of a tunnel (a proxy's CONNECT), or "" and 0 when the
	 * peer is the far end: what messages name, and what the TLS session
	 * cache is keyed by. */
	char target_host[256];
	int target_port;
};

/* Records that the conn is a tunnel to host:port through its peer. */
void nk_conn_set_target(nk_conn *c, const char *host, int port);

/* The far end's name, for messages and keys: the tunnel's target, else the
 * peer's address; its port in *port. */
const char *nk_conn_far(const nk_conn *c, int *port);

/* Non-blocking sendfile(2): moves up to len bytes from the file `in` (at
 * its current offset, which advances) to a plain TCP conn inside the
 * kernel. As nk_conn_try_write: *n bytes went, or *want says what to wait
 * for. *n = 0 and *want = 0 means the file ended. Reading `in` fails as
 * NK_ERR_READ_ERROR, the socket as NK_ERR_SEND_ERROR. */
nk_err nk_conn_try_sendfile(nk_conn *c, int in, size_t len, size_t *n,
                            int *want, char *errmsg);

/* Plain TCP operations, for a transport that wraps and later unwraps one. */
extern const struct nk_conn_ops nk_conn_plain_ops;

#endif
