/* netargs: the connection and TLS options several tools share, under
 * curl's names, declared and parsed in one place so that every tool spells,
 * explains and understands them the same way.
 *
 * A tool puts the row macros below in its option table where it wants
 * them, hands every option id opt_next returns to netargs_take first, and
 * calls netargs_finish once the command line is read. The ids come from a
 * range (1000 and up) that no tool's own enum reaches. */
#ifndef NK_CMD_NETARGS_H
#define NK_CMD_NETARGS_H

#include <stddef.h>
#include "nk/net.h"
#include "nk/tls.h"
#include "opts.h"

enum {
	NETARGS_IPV4 = 1000, NETARGS_IPV6, NETARGS_RESOLVE, NETARGS_CONNECT_TO,
	NETARGS_CONNECT_TIMEOUT, TLSARGS_CACERT, TLSARGS_CAPATH,
	TLSARGS_INSECURE, TLSARGS_SERVERNAME, TLSARGS_TLSV12, TLSARGS_TLSV13,
	TLSARGS_TLS_MAX, TLSARGS_CERT, TLSARGS_KEY,
	NETARGS_PROXY = 1100, NETARGS_NOPROXY,
	/* in the order of TLSARGS_CACERT, _CAPATH, _INSECURE (netargs.c) */
	NETARGS_PROXY_CACERT = 1200, NETARGS_PROXY_CAPATH, NETARGS_PROXY_INSECURE,
};

/* curl's default for --connect-timeout: five minutes for resolving, the
 * TCP connect and the TLS handshake together. */
#define NETARGS_CONNECT_TIMEOUT_MS 300000

/* -4, -6: the last one given wins, as in curl. */
#define NETARGS_FAMILY_OPTS \
	{ NETARGS_IPV4, '4', "ipv4", OPT_FLAG, NULL, NULL, \
	  "use IPv4 addresses only" }, \
	{ NETARGS_IPV6, '6', "ipv6", OPT_FLAG, NULL, NULL, \
	  "use IPv6 addresses only" }

#define NETARGS_RESOLVE_OPT \
	{ NETARGS_RESOLVE, 0, "resolve", OPT_STRING, "HOST:PORT:ADDR[,ADDR...]", \
	  NULL, "use these addresses for HOST:PORT (repeatable)" }

#define NETARGS_CONNECT_OPTS \
	{ NETARGS_CONNECT_TO, 0, "connect-to", OPT_STRING, \
	  "HOST1:PORT1:HOST2:PORT2", NULL, \
	  "connect to HOST2:PORT2 instead of HOST1:PORT1 (repeatable)" }, \
	{ NETARGS_CONNECT_TIMEOUT, 0, "connect-timeout", OPT_NUM, "SECS", NULL, \
	  "give up resolving and connecting, TLS included, after SECS " \
	  "(default 300)" }

/* -x, --noproxy: curl's; ALL_PROXY and NO_PROXY when they are not given.
 * --proxy-cacert, --proxy-capath, --proxy-insecure: an HTTPS proxy's
 * certificate check, as curl's. */
#define NETARGS_PROXY_OPTS \
	{ NETARGS_PROXY, 'x', "proxy", OPT_STRING, \
	  "[SCHEME://][USER:PASSWORD@]HOST[:PORT]", NULL, \
	  "connect through this SOCKS, HTTP or HTTPS (CONNECT) proxy" }, \
	{ NETARGS_NOPROXY, 0, "noproxy", OPT_STRING, "LIST", NULL, \
	  "hosts to reach directly, not through the proxy" }, \
	{ NETARGS_PROXY_CACERT, 0, "proxy-cacert", OPT_FILE, "FILE", NULL, \
	  "trust the CA certificates in FILE (PEM) for the HTTPS proxy" }, \
	{ NETARGS_PROXY_CAPATH, 0, "proxy-capath", OPT_DIR, "DIR", NULL, \
	  "trust the CA certificates in the hashed DIR for the HTTPS proxy" }, \
	{ NETARGS_PROXY_INSECURE, 0, "proxy-insecure", OPT_FLAG, NULL, NULL, \
	  "accept an HTTPS proxy certificate that does not verify" }

#define TLSARGS_VERIFY_OPTS \
	{ TLSARGS_CACERT, 0, "cacert", OPT_FILE, "FILE", NULL, \
	  "trust the CA certificates in FILE (PEM) instead of the system's" }, \
	{ TLSARGS_CAPATH, 0, "capath", OPT_DIR, "DIR", NULL, \
	  "trust the CA certificates in the hashed DIR instead of the system's" }, \
	{ TLSARGS_INSECURE, 'k', "insecure", OPT_FLAG, NULL, NULL, \
	  "accept a server certificate that does not verify" }

#define TLSARGS_SERVERNAME_OPT \
	{ TLSARGS_SERVERNAME, 0, "servername", OPT_HOST, "NAME", NULL, \
	  "send NAME as SNI and verify the certificate for NAME" }

#define TLSARGS_VERSION_OPTS \
	{ TLSARGS_TLSV12, 0, "tlsv1.2", OPT_FLAG, NULL, NULL, \
	  "use TLS 1.2 or later (the default)" }, \
	{ TLSARGS_TLSV13, 0, "tlsv1.3", OPT_FLAG, NULL, NULL, \
	  "use TLS 1.3 or later" }, \
	{ TLSARGS_TLS_MAX, 0, "tls-max", OPT_CHOICE, "VERSION", "1.2|1.3", \
	  "use at most this TLS version" }

#define TLSARGS_CLIENT_OPTS \
	{ TLSARGS_CERT, 'E', "cert", OPT_FILE, "FILE", NULL, \
	  "client certificate (PEM; may hold the key too)" }, \
	{ TLSARGS_KEY, 0, "key", OPT_FILE, "FILE", NULL, \
	  "private key of the client certificate (PEM)" }

/* What the shared options set. Zero it, take the
 * options, finish, then read net, tls and servername; free at the end.
 * Every string is borrowed from argv or the environment. */
struct netargs {
	nk_netopts net;            /* its resolve and connect_to arrays are
	                            * the ones below */
	nk_tls_config tls;         /* --cacert ... --key, and after
	                            * netargs_finish the system store defaults */
	const char *servername;    /* --servername, or NULL */
	/* -x, else all_proxy or ALL_PROXY after netargs_finish ("" or NULL:
	 * none); --noproxy, else no_proxy or NO_PROXY. */
	const char *proxy, *noproxy;
	int _proxy_set, _noproxy_set;
	nk_tls_config proxy_tls;   /* an HTTPS proxy's: --proxy-cacert ...,
	                            * the system store after netargs_finish */
	/* private: the growable arrays behind net.resolve, net.connect_to */
	const char **_resolve, **_connect_to;
	size_t _resolve_cap, _connect_to_cap;
};

/* Handles option `id` (with its argument `arg`, NULL for a flag) if it is
 * one of the shared ones. Returns 1 when it was, 0 when it is not a shared
 * option (the tool handles it), -1 after printing a one-line message for a
 * bad value (the tool exits with NK_ERR_FAILED_INIT, 2). Exits with
 * NK_ERR_OUT_OF_MEMORY when an array cannot grow. */
int netargs_take(struct netargs *na, int id, const char *arg);

/* Once every option is taken: checks what needs all of them (--tls-max
 * against --tlsv1.3, the --resolve and --connect-to entries with
 * nk_netopts_check), applies the default connect timeout, and sets the
 * system trust store defaults from SSL_CERT_FILE and SSL_CERT_DIR (unset
 * or empty: OpenSSL's own), and the proxy from all_proxy or ALL_PROXY
 * and the list from no_proxy or NO_PROXY when -x or --noproxy is not
 * given. Returns 0, or the exit code after printing
 * a one-line message (49 for a malformed --resolve or --connect-to entry,
 * as curl; 2 otherwise). */
int netargs_finish(struct netargs *na);

/* nk_tls_connect_via with the options: to host:port, through the proxy
 * when there is one (an HTTPS proxy too). */
nk_err netargs_connect(const struct netargs *na, const char *host, int port,
                       nk_time deadline, nk_conn **out, nk_connect_info *info,
                       char *errmsg);

/* Frees the arrays and empties the lists; NULL fields are fine. */
void netargs_free(struct netargs *na);

/* The whole main of a tool whose command line is shared options and
 * positional arguments: tool_init, a zeroed netargs and room for argc
 * positionals (NULL-filled), run, and everything freed; out of memory
 * fails as every tool does. Returns run's exit status. */
int netargs_main(int argc, char **argv,
                 int (*run)(int argc, char **argv, struct netargs *na,
                            const char **pos));

#endif
