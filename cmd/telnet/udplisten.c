/* udplisten: the UDP socket's addresses: HOST PORT resolved for -u, and
 * -l -u, the UDP server side. UDP has no connection to accept, so, as nc
 * -lu does, the sender of the first datagram becomes the peer: the
 * socket is connected to it, and from there the session is -u's (udp.c)
 * with that datagram its first input. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "nk/err.h"
#include "nk/time.h"
#include "dgram.h"
#include "tool.h"

int
udp_first_addr(const struct udp_args *a, nk_addr *out)
{
	char err[NK_ERR_MSG_LEN] = "";
	nk_addrlist l;
	nk_time deadline = nk_deadline_in_ms(a->net->connect_timeout_ms);
	nk_err e = nk_resolve(a->net, a->host, a->port, deadline, &l, err);
	if (e)
		return tool_fail(e, err);
	if (l.n == 0) {
		nk_addrlist_free(&l);
		return tool_failf(NK_ERR_COULDNT_RESOLVE_HOST, "%s: no address",
		                  a->host);
	}
	*out = l.v[0];
	nk_addrlist_free(&l);
	return 0;
}

/* "ADDR port N" of sa, for messages. */
#define ADDR_TEXT (NI_MAXHOST + NI_MAXSERV + 8)
static void
addr_text(const struct sockaddr *sa, socklen_t len, char *out, size_t n)
{
	char h[NI_MAXHOST], p[NI_MAXSERV];
	if (getnameinfo(sa, len, h, sizeof h, p, sizeof p,
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, n, "?");
	else
		snprintf(out, n, "%s port %s", h, p);
}

/* The address to bind: ADDR resolved (its first address), or with no
 * ADDR every address: IPv6's any, taking IPv4 too unless -6, or IPv4's
 * with -4 or where the system has no IPv6. 0, or the exit status. */
static int
bind_addr(const struct udp_args *a, struct sockaddr_storage *ss,
          socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (a->host) {
		nk_addr ad;
		memset(&ad, 0, sizeof ad);
		int code = udp_first_addr(a, &ad);
		if (code)
			return code;
		memcpy(ss, &ad.sa, ad.len);
		*len = ad.len;
		return 0;
	}
	if (a->net->family == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)a->port);
		in->sin_addr.s_addr = htonl(INADDR_ANY);
		*len = sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)a->port);
		in6->sin6_addr = in6addr_any;
		*len = sizeof *in6;
	}
	return 0;
}

/* A bound socket, or -1 with errno set. */
static int
bound_socket(const struct udp_args *a, struct sockaddr_storage *ss,
             socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && ss->ss_family == AF_INET6 && !a->host &&
	    a->net->family == 0 && errno == EAFNOSUPPORT) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		int port = a->port;
		memset(ss, 0, sizeof *ss);
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		len = sizeof *in;
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -1;
	int one = 1, v6only = a->net->family == 6, big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* UDP has no flow control: a client's burst that outruns us while
	 * we write is lost past the receive buffer, so ask for a deep one
	 * (the kernel caps it at net.core.rmem_max). */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	if (bind(fd, (struct sockaddr *)ss, len) != 0) {
		int en = errno;
		close(fd);
		errno = en;
		return -1;
	}
	return fd;
}

/* Waits (without end, as -l over TCP) for the first datagram and
 * connects fd to its sender, leaving the datagram queued. 0, or the exit
 * status. */
static int
take_peer(int fd, const struct udp_args *a)
{
	struct sockaddr_storage peer;
	socklen_t plen;
	char c, text[ADDR_TEXT];
	for (;;) {
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			return tool_failf(NK_ERR_RECV_ERROR, "poll: %s",
			                  strerror(errno));
		plen = sizeof peer;
		if (recvfrom(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT,
		             (struct sockaddr *)&peer, &plen) >= 0)
			break;
		if (errno != EINTR && errno != EAGAIN)
			return tool_failf(NK_ERR_RECV_ERROR, "recvfrom: %s",
			                  strerror(errno));
	}
	addr_text((struct sockaddr *)&peer, plen, text, sizeof text);
	if (connect(fd, (struct sockaddr *)&peer, plen) != 0)
		return tool_failf(NK_ERR_COULDNT_CONNECT, "UDP to %s: %s", text,
		                  strerror(errno));
	if (a->verbose)
		fprintf(stderr, "Datagram from %s.\n", text);
	return 0;
}

int
udp_listen(const struct udp_args *a, int *out)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char text[ADDR_TEXT];
	int code = bind_addr(a, &ss, &len);
	if (code)
		return code;
	int fd = bound_socket(a, &ss, len);
	if (fd < 0) {
		int en = errno;
		addr_text((struct sockaddr *)&ss, len, text, sizeof text);
		return tool_failf(NK_ERR_FAILED_INIT, "bind %s: %s", text,
		                  strerror(en));
	}
	if (a->verbose) {
		addr_text((struct sockaddr *)&ss, len, text, sizeof text);
		fprintf(stderr, "Listening on %s (UDP).\n", text);
	}
	if ((code = take_peer(fd, a)) != 0) {
		close(fd);
		return code;
	}
	*out = fd;
	return 0;
}
