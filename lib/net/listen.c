/* listen: server sockets for the echo server and the tests. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/internal.h"
#include "net/net_int.h"

/* The addresses to bind, before ports are set. */
struct bindlist {
	struct sockaddr_storage sa[8];
	socklen_t len[8];
	size_t n;
};

static void
add(struct bindlist *b, const struct sockaddr *sa, socklen_t len)
{
	if (b->n >= NK_ARRAY_LEN(b->sa))
		return;
	for (size_t i = 0; i < b->n; i++)
		if (b->len[i] == len && memcmp(&b->sa[i], sa, len) == 0)
			return;
	memcpy(&b->sa[b->n], sa, len);
	b->len[b->n++] = len;
}

static nk_err
addresses(const char *host, int family, struct bindlist *b, char *errmsg)
{
	memset(b, 0, sizeof *b);
	if (!host || !*host) {
		if (family != 6) {
			struct sockaddr_in s4 = { .sin_family = AF_INET };
			s4.sin_addr.s_addr = htonl(INADDR_ANY);
			add(b, (struct sockaddr *)&s4, sizeof s4);
		}
		if (family != 4) {
			struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
			s6.sin6_addr = in6addr_any;
			add(b, (struct sockaddr *)&s6, sizeof s6);
		}
		return NK_OK;
	}
	/* The same resolver as connect: literals with or without brackets,
	 * names through getaddrinfo, RFC 6761 "invalid" names refused. */
	nk_netopts o;
	nk_addrlist l;
	memset(&o, 0, sizeof o);
	o.family = family;
	nk_err e = nk_resolve(&o, host, 0, NK_NO_DEADLINE, &l, errmsg);
	if (e)
		return e;
	for (size_t i = 0; i < l.n; i++)
		add(b, (const struct sockaddr *)&l.v[i].sa, l.v[i].len);
	nk_addrlist_free(&l);
	return NK_OK;
}

static void
set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

/* Binds and listens on one address. Returns the fd, or -1 with errno and
 * *what ("socket", "bind", "listen") set. */
static int
bind_one(const struct sockaddr_storage *ss, socklen_t len, const char **what)
{
	int s = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	               IPPROTO_TCP);
	if (s < 0) {
		*what = "socket";
		return -1;
	}
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* Separate IPv4 and IPv6 sockets: a dual-stack socket would report
	 * IPv4 peers as ::ffff:a.b.c.d and fail where v4-mapping is off. */
	if (ss->ss_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(s, (const struct sockaddr *)ss, len) != 0) {
		*what = "bind";
		goto fail;
	}
	if (listen(s, SOMAXCONN) != 0) {
		*what = "listen";
		goto fail;
	}
	return s;
fail:;
	int err = errno;
	close(s);
	errno = err;
	return -1;
}

/* Errors that mean "this machine has no such family", which a wildcard or
 * a name with several addresses may skip. */
static int
family_missing(int err)
{
	return err == EAFNOSUPPORT || err == EADDRNOTAVAIL || err == EPROTONOSUPPORT;
}

nk_err
nk_listen(const char *host, int port, int family, int *fds, size_t *nfds,
          char *errmsg)
{
	size_t cap = *nfds;
	struct bindlist b;
	nk_err e;

	*nfds = 0;
	if (port < 0 || port > 65535 || cap == 0)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "port %d out of range or no room for sockets", port);
	if (family != 0 && family != 4 && family != 6)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "address family must be 0, 4 or 6, not %d", family);
	e = addresses(host, family, &b, errmsg);
	if (e)
		return e;

	/* With port 0 the first socket picks the port and the others follow;
	 * if that port is taken in the other family, start over. */
	int skipped = 0;
	size_t skipped_at = 0;
	for (int round = 0; round < 8; round++) {
		int p = port, retry = 0;
		size_t n = 0;
		for (size_t i = 0; i < b.n && n < cap; i++) {
			const char *what = "bind";
			set_port(&b.sa[i], p);
			int s = bind_one(&b.sa[i], b.len[i], &what);
			if (s < 0) {
				int err = errno;
				if (family_missing(err) && b.n > 1) {
					skipped = err;
					skipped_at = i;
					continue;
				}
				if (err == EADDRINUSE && port == 0 && n > 0) {
					retry = 1;
					break;
				}
				char a[64];
				nk_addr_str((struct sockaddr *)&b.sa[i], a, sizeof a);
				while (n > 0)
					close(fds[--n]);
				return nk_fail(errmsg, NK_ERR_FAILED_INIT, "%s %s port %d: %s",
				               what, a, p, strerror(err));
			}
			fds[n++] = s;
			if (p == 0)
				p = nk_listen_port(s);
		}
		if (!retry && n > 0) {
			*nfds = n;
			return NK_OK;
		}
		while (n > 0)
			close(fds[--n]);
		if (!retry)
			break;
	}
	if (skipped) {
		char a[64];
		nk_addr_str((struct sockaddr *)&b.sa[skipped_at], a, sizeof a);
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "bind %s port %d: %s", a,
		               port, strerror(skipped));
	}
	return nk_fail(errmsg, NK_ERR_FAILED_INIT,
	               "could not listen on %s port %d: the port was taken each try",
	               host && *host ? host : "*", port);
}

int
nk_listen_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return -1;
}
