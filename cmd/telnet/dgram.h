/* The transports besides TCP: a Unix domain stream socket (-U, unix.c)
 * and UDP (-u, udp.c; its addresses and -l -u, udplisten.c). */
#ifndef NK_TELNET_DGRAM_H
#define NK_TELNET_DGRAM_H

#include <stdint.h>

#include "nk/conn.h"
#include "nk/net.h"
#include "sesslog.h"

/* Connects a stream socket to the Unix socket at path: *out a plain conn,
 * or NK_ERR_COULDNT_CONNECT (NK_ERR_FAILED_INIT for a path too long) with
 * the reason in errmsg. */
nk_err unix_connect(const char *path, nk_conn **out, char *errmsg);

/* -q -1: wait for the peer without end (bounded by -w). For TCP the
 * same as no -q (until the server closes); for UDP no quiet end. */
#define QUIT_FOREVER (-2)

/* path as a Unix socket address into *sun, or NK_ERR_FAILED_INIT for a
 * path empty or too long. */
struct sockaddr_un;
nk_err unix_addr(const char *path, struct sockaddr_un *sun, char *errmsg);

/* -u's settings. */
struct udp_args {
	const char *host;
	int port;
	const nk_netopts *net;
	int64_t quit_ms;        /* -q: end this long after input's end; -1,
	                         * or QUIT_FOREVER */
	int64_t idle_ms;        /* --idle-timeout: exit 28; 0 for none */
	int64_t wait_ms;        /* --eof-wait: after input's end, end once no
	                         * datagram came for this long */
	int verbose;
	int raw_output;
	struct sesslog *log;    /* --hexdump and -o */
	int listen;             /* -l: host (NULL: any) and port are ours */
};

/* The UDP session: each line of stdin one datagram, each datagram
 * received written to stdout. Returns the exit status. */
int udp_run(const struct udp_args *u);

/* -l -u: binds u->host (NULL: every address) port u->port, waits without
 * end for the first datagram and connects the socket to its sender (the
 * datagram stays queued for the session), saying both with -v. *fd the
 * socket, or the exit status: 2 when bind fails, with its reason. */
int udp_listen(const struct udp_args *u, int *fd);

/* u->host port u->port resolved (--connect-timeout, -4/-6, --resolve):
 * its first address into *out. 0, or the exit status after saying why. */
int udp_first_addr(const struct udp_args *u, nk_addr *out);

#endif
