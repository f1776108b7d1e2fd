/* libnk net: names to addresses, TCP connect with Happy Eyeballs, and
 * listening sockets.
 *
 * Every call here is thread safe on distinct objects: the module keeps no
 * global state. Resolving and connecting block the caller until they finish
 * or the deadline (nk/time.h) passes, never longer: the system resolver runs
 * on a worker thread that is abandoned, not waited for, at the deadline. */
#ifndef NK_NET_H
#define NK_NET_H

#include <sys/socket.h>
#include "nk/defs.h"
#include "nk/err.h"
#include "nk/time.h"
#include "nk/conn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What every tool passes to resolve and connect: the curl-style overrides
 * and filters. Zero-initialise, then set what the user gave. The strings
 * are borrowed for the duration of each call. */
typedef struct nk_netopts {
	int family;                    /* 0 any, 4 IPv4 only, 6 IPv6 only (-4/-6) */
	/* curl --resolve entries "HOST:PORT:ADDR[,ADDR...]": PORT may be *,
	 * ADDR may be [v6]; HOST * applies to any host no entry names. A later
	 * entry for the same HOST:PORT replaces an earlier one, "-HOST:PORT"
	 * drops earlier ones; a leading '+' is accepted and ignored (curl's
	 * "time out this entry" marker). Unlike curl, family filters these
	 * addresses too, so -4/-6 can pick from a mixed list. */
	const char *const *resolve;
	size_t nresolve;
	/* curl --connect-to entries "HOST1:PORT1:HOST2:PORT2": empty HOST1 or
	 * PORT1 match any, empty HOST2 or PORT2 leave it unchanged; hosts may
	 * be [v6]. The first matching entry applies. */
	const char *const *connect_to;
	size_t nconnect_to;
	int64_t connect_timeout_ms;    /* 0: only the caller's deadline */
	int64_t happy_eyeballs_ms;     /* 0: 250 ms (RFC 8305 Connection Attempt Delay) */
	/* The hosts file consulted to tell "hosts" from "dns" addresses; NULL
	 * means /etc/hosts. It only labels addresses, getaddrinfo decides them. */
	const char *hosts_file;
	/* The local address each attempt binds before it connects: "ADDR",
	 * "ADDR:PORT" or "[V6]:PORT", literals only; NULL for the kernel's
	 * choice. Addresses of the other family fail with EAFNOSUPPORT. */
	const char *source;
} nk_netopts;

/* Checks every override entry's syntax without resolving anything.
 * Errors: NK_ERR_FAILED_INIT with errmsg naming the bad entry
 * ("bad --resolve entry 'x:80': ..."). */
NK_API nk_err nk_netopts_check(const nk_netopts *o, char *errmsg);

/* Where an address came from. */
typedef enum nk_addr_source {
	NK_ADDR_LITERAL,   /* the host was a numeric address */
	NK_ADDR_OVERRIDE,  /* a --resolve entry */
	NK_ADDR_HOSTS,     /* the system resolver, and the hosts file lists it */
	NK_ADDR_DNS,       /* the system resolver, not from the hosts file */
} nk_addr_source;

typedef struct nk_addr {
	struct sockaddr_storage sa;    /* port filled in */
	socklen_t len;
	nk_addr_source source;
	char str[64];                  /* "127.0.0.1", "::1" (no brackets) */
	int family;                    /* 4 or 6 */
} nk_addr;

typedef struct nk_addrlist {
	nk_addr *v;                    /* n entries, owned by the list */
	size_t n;
	nk_time elapsed;               /* how long the lookup took, in microseconds */
} nk_addrlist;

/* Resolves host (a name, or an IPv4/IPv6 literal with or without
 * [brackets]) for port: a matching --resolve override replaces the lookup,
 * else the system resolver (getaddrinfo, which applies RFC 6724 ordering);
 * the result is filtered by o->family, then ordered as connect tries it
 * (RFC 8305 section 4: families interleaved, starting with the first
 * address's family). o may be NULL for no options. Port 0 means "no port
 * in mind" (nk resolve): every --resolve entry for the host then applies.
 *
 * Blocks until the answer or the deadline: getaddrinfo runs on a detached
 * worker thread whose shared state is freed by whichever side finishes
 * last, so an unresponsive resolver cannot hang the caller.
 * Errors: NK_ERR_COULDNT_RESOLVE_HOST "Could not resolve host: NAME",
 * NK_ERR_OPERATION_TIMEDOUT, NK_ERR_FAILED_INIT (bad overrides),
 * NK_ERR_OUT_OF_MEMORY. On success the caller frees *out with
 * nk_addrlist_free; on failure *out is empty. */
NK_API nk_err nk_resolve(const nk_netopts *o, const char *host, int port,
                         nk_time deadline, nk_addrlist *out, char *errmsg);

/* Frees the addresses and empties the list; NULL-safe, idempotent. */
NK_API void nk_addrlist_free(nk_addrlist *l);

/* "literal", "--resolve", "hosts", "dns". */
NK_API const char *nk_addr_source_name(nk_addr_source s);

/* One connection attempt of nk_connect. */
typedef struct nk_attempt {
	char addr[64];                 /* "::1" */
	int port;
	int family;                    /* 4 or 6 */
	nk_time start, end;            /* absolute, monotonic; end 0 if never ended */
	/* NK_OK for the winner; NK_ERR_COULDNT_CONNECT or
	 * NK_ERR_OPERATION_TIMEDOUT for failures; NK_ERR_ABORTED_BY_CALLBACK
	 * for attempts still racing when another won (closed unused). */
	nk_err err;
	char why[96];                  /* strerror text, "timed out", "cancelled:
	                                * another address connected first" */
} nk_attempt;

#define NK_MAX_ATTEMPTS 16

typedef struct nk_connect_info {
	nk_time start, resolved, connected;  /* absolute monotonic; 0 if not reached */
	char host[256];                /* what was connected to after --connect-to */
	int port;
	nk_attempt attempts[NK_MAX_ATTEMPTS]; /* the first NK_MAX_ATTEMPTS, in start order */
	size_t nattempts;
	nk_addr_source source;         /* of the winning address */
} nk_connect_info;

/* Applies --connect-to, resolves (nk_resolve), and connects with Happy
 * Eyeballs (RFC 8305 section 5: the next address starts after
 * happy_eyeballs_ms or as soon as the previous attempt fails; attempts keep
 * racing, the first to connect wins, the others are closed). Non-blocking
 * sockets throughout; the whole call, resolving included, is bounded by
 * min(deadline, start + connect_timeout_ms).
 *
 * On success *out is a plain TCP nk_conn (TCP_NODELAY set) that the
 * caller frees with nk_conn_free. info (may be NULL) records the timeline
 * and every attempt, also on failure.
 * Errors: NK_ERR_COULDNT_RESOLVE_HOST; NK_ERR_COULDNT_CONNECT ("Failed to
 * connect to HOST port N: Connection refused", naming the addresses tried
 * when they are not just HOST); NK_ERR_OPERATION_TIMEDOUT ("Failed to
 * connect to HOST port N: Connection timed out after N ms");
 * NK_ERR_FAILED_INIT (bad overrides); NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_connect(const nk_netopts *o, const char *host, int port,
                         nk_time deadline, nk_conn **out,
                         nk_connect_info *info, char *errmsg);

/* Server side, for the echo server and the tests: binds and listens on
 * host:port. host NULL or "" means all addresses, both families where the
 * system has them (separate IPv4 and IPv6-only sockets); otherwise host is
 * a literal (brackets allowed) or a name, resolved without a deadline.
 * family is 0, 4 or 6 as in nk_netopts. Port 0 lets the kernel choose; with
 * several sockets they all get the same port. SO_REUSEADDR is set.
 *
 * *nfds is the capacity of fds in and the count out; the sockets are
 * non-blocking and close-on-exec and the caller closes them.
 * Errors: NK_ERR_COULDNT_RESOLVE_HOST, NK_ERR_FAILED_INIT (socket, bind
 * or listen failed: "bind 127.0.0.1 port 80: Permission denied"),
 * NK_ERR_BAD_FUNCTION_ARGUMENT (port out of range, too few fds). */
NK_API nk_err nk_listen(const char *host, int port, int family, int *fds,
                        size_t *nfds, char *errmsg);

/* The local port a socket is bound to, or -1. */
NK_API int nk_listen_port(int fd);

/* A port as a user writes one: a decimal number from 1 to 65535 (strtol's
 * reading: leading blanks and a sign are allowed), or, when proto ("tcp",
 * "udp") is not NULL, a service name the system knows for it ("telnet"
 * gives 23). Sets *port. Errors: NK_ERR_SETOPT_OPTION_SYNTAX, "port takes
 * 1 to 65535, not '0'" or "unknown port or service 'x'", quoting s as it
 * is (escape it before a terminal shows it). */
NK_API nk_err nk_port_parse(const char *s, const char *proto, int *port,
                            char *errmsg);

/* SOCKS proxies (net/socks.c): the handshake on a connection already made
 * to the proxy (nk_connect to it), after which the conn carries bytes to
 * and from the target as if connected there. */
typedef enum nk_socks_kind {
	NK_SOCKS4 = 4,     /* SOCKS4: this side resolves the name; IPv4 only */
	NK_SOCKS4A,        /* SOCKS4a: the proxy resolves it */
	NK_SOCKS5,         /* SOCKS5 (RFC 1928): this side resolves it */
	NK_SOCKS5H,        /* SOCKS5 with the name sent: the proxy resolves */
} nk_socks_kind;

typedef struct nk_socks {
	nk_socks_kind kind;
	/* SOCKS5: RFC 1929 credentials, offered when user is not NULL (each
	 * at most 255 bytes); SOCKS4: user is the USERID field. */
	const char *user;
	const char *password;          /* NULL: empty */
} nk_socks;

/* Asks the SOCKS proxy at the other end of c to connect to host:port (an
 * IPv6 literal without brackets), with the bytes curl 7.88 sends: SOCKS5
 * offers "no authentication" and, with a user, RFC 1929's method. The
 * name is resolved here (nk_resolve with o: --resolve, -4/-6) for
 * NK_SOCKS4 and NK_SOCKS5, sent for NK_SOCKS4A and NK_SOCKS5H; o's
 * --connect-to applies to host:port first. Bounded by deadline. On
 * success c's far end is host:port (nk_conn_set_target), and said (may
 * be NULL; NK_ERR_MSG_LEN bytes) tells what was asked, for -v: "SOCKS5
 * connect to nk.test:80 (remotely resolved)".
 * Errors, as curl's: NK_ERR_PROXY (97: the proxy refused, closed, sent
 * what is not SOCKS, or a name to resolve here did not resolve),
 * NK_ERR_OPERATION_TIMEDOUT, NK_ERR_OUT_OF_MEMORY, errmsg in curl's
 * words ("Can't complete SOCKS5 connection to nk.test. (5)"). */
NK_API nk_err nk_socks_connect(nk_conn *c, const nk_socks *s,
                               const nk_netopts *o, const char *host,
                               int port, nk_time deadline, char *said,
                               char *errmsg);

/* "SOCKS4", "SOCKS4a", "SOCKS5", "SOCKS5h". */
NK_API const char *nk_socks_name(nk_socks_kind k);

/* nk_connect through a proxy, for raw byte streams (net/proxy_via.c).
 * proxy is curl's form, "[SCHEME://][user:password@]host[:port]" (port
 * 1080 by default; SCHEME http, socks4, socks4a, socks5 or socks5h); NULL
 * or "" connects directly, as does a host in noproxy (curl's NO_PROXY
 * list, may be NULL). Through a SOCKS proxy: nk_socks_connect. Through an
 * HTTP proxy: a CONNECT tunnel (Basic credentials from the URL), of which
 * only the status line is checked. The handshake is bounded by deadline
 * and o's connect timeout as nk_connect is; info (may be NULL) records
 * the connection to the proxy. On success *out carries bytes to and from
 * host:port (its peer address is the proxy's).
 * Errors: nk_connect's (to the proxy), NK_ERR_COULDNT_RESOLVE_PROXY (5:
 * the proxy does not parse, or an HTTP proxy's name does not resolve),
 * NK_ERR_COULDNT_CONNECT (7: an unknown scheme, or https://: TLS to the
 * proxy is a layer above this one, nk_tls_connect_via's), nk_socks_connect's
 * (NK_ERR_PROXY, 97), NK_ERR_RECV_ERROR (56: the CONNECT was refused or
 * the proxy closed), NK_ERR_WEIRD_SERVER_REPLY (8: not HTTP),
 * NK_ERR_URL_MALFORMAT (a host with blanks or control bytes). */
NK_API nk_err nk_connect_via(const nk_netopts *o, const char *proxy,
                             const char *noproxy, const char *host, int port,
                             nk_time deadline, nk_conn **out,
                             nk_connect_info *info, char *errmsg);

#ifdef __cplusplus
}
#endif

#endif
