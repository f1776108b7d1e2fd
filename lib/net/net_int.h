/* net internals shared by dns.c, hosts.c, tcp.c and the unit tests. */
#ifndef NK_NET_INT_H
#define NK_NET_INT_H

#include <sys/socket.h>

#include "nk/net.h"

/* RFC 8305 section 5: the recommended Connection Attempt Delay. */
#define NK_HAPPY_EYEBALLS_MS 250

/* One parsed --resolve entry. addrs points into the entry string: the
 * comma-separated address list, already checked. */
struct nk_resolve_entry {
	char host[256];       /* without brackets */
	int port;             /* -1 for '*' */
	int remove;           /* "-HOST:PORT" */
	const char *addrs;
};

/* Parses "[+|-]HOST:PORT:ADDR[,ADDR...]"; NK_ERR_FAILED_INIT with a message
 * naming the entry on bad syntax. */
nk_err nk_resolve_entry_parse(const char *entry, struct nk_resolve_entry *r,
                              char *errmsg);

/* One parsed --connect-to entry; empty host or port -1 mean any/unchanged. */
struct nk_connect_to_entry {
	char from_host[256];
	int from_port;
	char to_host[256];
	int to_port;
};

nk_err nk_connect_to_parse(const char *entry, struct nk_connect_to_entry *c,
                           char *errmsg);

/* Applies the first matching --connect-to entry of o to host:port, writing
 * the result to out (size outlen) and *outport. Errors as the parser. */
nk_err nk_connect_to_apply(const nk_netopts *o, const char *host, int port,
                           char *out, size_t outlen, int *outport,
                           char *errmsg);

/* Parses nk_netopts.source into *ss (port 0 when it has none).
 * NK_ERR_FAILED_INIT with a message quoting s on bad syntax. */
struct sockaddr_storage;
nk_err nk_source_parse(const char *s, struct sockaddr_storage *ss,
                       socklen_t *len, char *errmsg);

/* Reorders v in place as RFC 8305 section 4 asks: families alternate,
 * starting with the family of v[0], each family keeping its own order. */
void nk_addr_interleave(nk_addr *v, size_t n);

/* Marks as NK_ADDR_HOSTS each NK_ADDR_DNS address of v[0..n) that the hosts
 * file at path (NULL: /etc/hosts) lists for name. A missing or unreadable
 * file lists nothing. */
void nk_hosts_mark(const char *path, const char *name, nk_addr *v, size_t n);

/* nk_resolve with a test seam: the worker thread sleeps delay_ms before it
 * calls getaddrinfo, so tests can watch the deadline cut a slow lookup
 * short. nk_resolve is this with 0. */
nk_err nk_resolve_delayed(const nk_netopts *o, const char *host, int port,
                          nk_time deadline, nk_addrlist *out, char *errmsg,
                          int64_t delay_ms);

#endif
