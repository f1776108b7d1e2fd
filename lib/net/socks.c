/* socks: the SOCKS handshake on a connection made to the proxy. SOCKS4
 * and SOCKS4a as the original protocol documents describe them, SOCKS5 as
 * RFC 1928 with RFC 1929's user name and password, the bytes and the
 * failures in curl 7.88's words, so scripts see the same exit status. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "nk/net.h"
#include "net/net_int.h"
#include "net/conn_int.h"
#include "core/internal.h"

/* The most a request takes: SOCKS4a with a 255-byte user and name. */
#define REQ_MAX 600

const char *
nk_socks_name(nk_socks_kind k)
{
	switch (k) {
	case NK_SOCKS4: return "SOCKS4";
	case NK_SOCKS4A: return "SOCKS4a";
	case NK_SOCKS5: return "SOCKS5";
	case NK_SOCKS5H: return "SOCKS5h";
	}
	return "SOCKS";
}

/* Reads exactly len bytes of the proxy's answer. A proxy that closes
 * first, or a read that fails, is the proxy's failure (97); a deadline
 * stays a timeout. */
static nk_err
read_all(nk_conn *c, unsigned char *buf, size_t len, nk_time deadline,
         const char *what, char *errmsg)
{
	size_t got = 0;
	while (got < len) {
		size_t n;
		char msg[NK_ERR_MSG_LEN];
		nk_err e = nk_conn_read(c, buf + got, len - got, deadline, &n, msg);
		if (e == NK_ERR_OPERATION_TIMEDOUT || e == NK_ERR_OUT_OF_MEMORY)
			return nk_fail(errmsg, e, "%s", msg);
		if (e)
			return nk_fail(errmsg, NK_ERR_PROXY, "Failed receiving %s: %s",
			               what, msg);
		if (n == 0)
			return nk_fail(errmsg, NK_ERR_PROXY,
			               "connection to proxy closed");
		got += n;
	}
	return NK_OK;
}

static nk_err
send_all(nk_conn *c, const unsigned char *buf, size_t len, nk_time deadline,
         const char *what, char *errmsg)
{
	char msg[NK_ERR_MSG_LEN];
	nk_err e = nk_conn_write(c, buf, len, deadline, msg);
	if (e == NK_ERR_OPERATION_TIMEDOUT)
		return nk_fail(errmsg, e, "%s", msg);
	if (e)
		return nk_fail(errmsg, NK_ERR_PROXY, "Failed to send %s: %s", what,
		               msg);
	return NK_OK;
}

/* The first address of host (of family 4 when v4only), resolved here as
 * a direct connection would be. A name that does not resolve is the
 * proxy handshake's failure, as curl has it. */
static nk_err
resolve_one(const nk_netopts *o, const char *host, int port, int v4only,
            nk_time deadline, nk_addr *out, const char *kind, char *errmsg)
{
	nk_addrlist al;
	char msg[NK_ERR_MSG_LEN];
	memset(out, 0, sizeof *out);
	nk_err e = nk_resolve(o, host, port, deadline, &al, msg);
	if (e == NK_ERR_COULDNT_RESOLVE_HOST)
		return nk_fail(errmsg, NK_ERR_PROXY, "%s", msg);
	if (e)
		return nk_fail(errmsg, e, "%s", msg);
	size_t i = 0;
	while (v4only && i < al.n && al.v[i].family != 4)
		i++;
	if (i == al.n) {
		nk_addrlist_free(&al);
		return nk_fail(errmsg, NK_ERR_PROXY, "%s connection to %s not "
		               "supported", kind, host);
	}
	*out = al.v[i];
	nk_addrlist_free(&al);
	return NK_OK;
}

/* The address bytes of a resolved address (4 or 16) in p. */
static size_t
addr_bytes(const nk_addr *a, unsigned char *p)
{
	if (a->family == 4) {
		memcpy(p, &((const struct sockaddr_in *)&a->sa)->sin_addr, 4);
		return 4;
	}
	memcpy(p, &((const struct sockaddr_in6 *)&a->sa)->sin6_addr, 16);
	return 16;
}

static nk_err
socks4_reply(const unsigned char r[8], char *errmsg)
{
	static const char *const why[] = {
		"request rejected or failed",
		"request rejected because SOCKS server cannot connect to identd "
		"on the client",
		"request rejected because the client program and identd report "
		"different user-ids",
	};
	if (r[0] != 0)
		return nk_fail(errmsg, NK_ERR_PROXY, "SOCKS4 reply has wrong "
		               "version, version should be 0.");
	if (r[1] == 90)
		return NK_OK;
	/* curl names the address and port the reply carries. */
	return nk_fail(errmsg, NK_ERR_PROXY, "Can't complete SOCKS4 connection "
	               "to %d.%d.%d.%d:%d. (%d), %s.", r[4], r[5], r[6], r[7],
	               r[2] << 8 | r[3], r[1],
	               r[1] >= 91 && r[1] <= 93 ? why[r[1] - 91] : "Unknown");
}

/* SOCKS4 and SOCKS4a: one request, one 8-byte reply. */
static nk_err
socks4(nk_conn *c, const nk_socks *s, const nk_netopts *o, const char *host,
       int port, nk_time deadline, char *said, char *errmsg)
{
	unsigned char req[REQ_MAX], *p = req;
	int a = s->kind == NK_SOCKS4A;
	*p++ = 4;
	*p++ = 1;
	*p++ = (unsigned char)(port >> 8);
	*p++ = (unsigned char)port;
	nk_err e;
	if (a) {
		memcpy(p, "\0\0\0\1", 4);
		nk_err_set(said, NK_OK, "SOCKS4a connect to %s:%d (remotely "
		           "resolved)", host, port);
	} else {
		nk_addr ad;
		e = resolve_one(o, host, port, 1, deadline, &ad, "SOCKS4", errmsg);
		if (e)
			return e;
		addr_bytes(&ad, p);
		nk_err_set(said, NK_OK, "SOCKS4 connect to IPv4 %s (locally "
		           "resolved)", ad.str);
	}
	p += 4;
	const char *user = s->user ? s->user : "";
	size_t ul = strlen(user), hl = strlen(host);
	if (ul > 255)
		return nk_fail(errmsg, NK_ERR_PROXY, "Too long SOCKS proxy user "
		               "name");
	memcpy(p, user, ul + 1);
	p += ul + 1;
	if (a) {
		if (hl + 1 > 255)
			return nk_fail(errmsg, NK_ERR_PROXY, "SOCKS4: too long host "
			               "name");
		memcpy(p, host, hl + 1);
		p += hl + 1;
	}
	e = send_all(c, req, (size_t)(p - req), deadline, "SOCKS4 connect "
	             "request", errmsg);
	unsigned char r[8];
	if (!e)
		e = read_all(c, r, sizeof r, deadline, "connect request ack",
		             errmsg);
	return e ? e : socks4_reply(r, errmsg);
}

/* SOCKS5's method selection, and RFC 1929's sub-negotiation when the
 * proxy asks for it. */
static nk_err
socks5_auth(nk_conn *c, const nk_socks *s, nk_time deadline, char *errmsg)
{
	unsigned char req[3 + 2 * 256], r[2];
	size_t n = 0;
	req[n++] = 5;
	req[n++] = s->user ? 2 : 1;
	req[n++] = 0;
	if (s->user)
		req[n++] = 2;
	nk_err e = send_all(c, req, n, deadline, "initial SOCKS5 request",
	                    errmsg);
	if (!e)
		e = read_all(c, r, 2, deadline, "initial SOCKS5 response", errmsg);
	if (e)
		return e;
	if (r[0] != 5)
		return nk_fail(errmsg, NK_ERR_PROXY, "Received invalid version in "
		               "initial SOCKS5 response.");
	if (r[1] == 0)
		return NK_OK;
	if (r[1] == 1)
		return nk_fail(errmsg, NK_ERR_PROXY, "SOCKS5 GSSAPI per-message "
		               "authentication is not supported.");
	if (r[1] == 255)
		return nk_fail(errmsg, NK_ERR_PROXY, "No authentication method was "
		               "acceptable.");
	if (r[1] != 2)
		return nk_fail(errmsg, NK_ERR_PROXY, "Undocumented SOCKS5 mode "
		               "attempted to be used by server.");
	/* The proxy asked for a name and password: empty ones when there are
	 * none, as curl sends them. */
	const char *user = s->user ? s->user : "";
	const char *pass = s->user && s->password ? s->password : "";
	size_t ul = strlen(user), pl = strlen(pass);
	if (ul > 255)
		return nk_fail(errmsg, NK_ERR_PROXY, "Excessive user name length "
		               "for proxy auth");
	if (pl > 255)
		return nk_fail(errmsg, NK_ERR_PROXY, "Excessive password length "
		               "for proxy auth");
	n = 0;
	req[n++] = 1;
	req[n++] = (unsigned char)ul;
	memcpy(req + n, user, ul);
	n += ul;
	req[n++] = (unsigned char)pl;
	memcpy(req + n, pass, pl);
	n += pl;
	e = send_all(c, req, n, deadline, "SOCKS5 sub-negotiation request",
	             errmsg);
	if (!e)
		e = read_all(c, r, 2, deadline, "SOCKS5 sub-negotiation response",
		             errmsg);
	if (!e && r[1] != 0)
		e = nk_fail(errmsg, NK_ERR_PROXY, "User was rejected by the SOCKS5 "
		            "server (%d %d).", r[0], r[1]);
	return e;
}

/* The SOCKS5 CONNECT request's address: the name for the proxy to
 * resolve (an address literal as an address), or the one resolved here. */
static nk_err
socks5_addr(const nk_socks *s, const nk_netopts *o, const char *host,
            int port, nk_time deadline, unsigned char *p, size_t *n,
            char *said, char *errmsg)
{
	unsigned char a6[16];
	size_t hl = strlen(host);
	if (s->kind == NK_SOCKS5H) {
		if (inet_pton(AF_INET6, host, a6) == 1) {
			p[0] = 4;
			memcpy(p + 1, a6, 16);
			*n = 17;
		} else if (inet_pton(AF_INET, host, a6) == 1) {
			p[0] = 1;
			memcpy(p + 1, a6, 4);
			*n = 5;
		} else {
			if (hl > 255)
				return nk_fail(errmsg, NK_ERR_PROXY, "SOCKS5: the "
				               "destination hostname is too long to be "
				               "resolved remotely by the proxy.");
			p[0] = 3;
			p[1] = (unsigned char)hl;
			/* the name without its NUL */
			for (size_t i = 0; i < hl; i++)
				p[2 + i] = (unsigned char)host[i];
			*n = 2 + hl;
		}
		nk_err_set(said, NK_OK, "SOCKS5 connect to %s:%d (remotely "
		           "resolved)", host, port);
		return NK_OK;
	}
	nk_addr ad;
	nk_err e = resolve_one(o, host, port, 0, deadline, &ad, "SOCKS5",
	                       errmsg);
	if (e)
		return e;
	p[0] = ad.family == 4 ? 1 : 4;
	*n = 1 + addr_bytes(&ad, p + 1);
	nk_err_set(said, NK_OK, "SOCKS5 connect to IPv%d %s%s%s:%d (locally "
	           "resolved)", ad.family, ad.family == 6 ? "[" : "", ad.str,
	           ad.family == 6 ? "]" : "", port);
	return NK_OK;
}

/* SOCKS5's reply: VER REP RSV ATYP, the bound address and port, read
 * whole so that nothing of it is taken for the target's bytes. */
static nk_err
socks5_reply(nk_conn *c, const char *host, nk_time deadline, char *errmsg)
{
	unsigned char r[4 + 1 + 255 + 2];
	nk_err e = read_all(c, r, 10, deadline, "SOCKS5 connect request ack",
	                    errmsg);
	if (e)
		return e;
	if (r[0] != 5)
		return nk_fail(errmsg, NK_ERR_PROXY, "SOCKS5 reply has wrong "
		               "version, version should be 5.");
	if (r[1] != 0)
		return nk_fail(errmsg, NK_ERR_PROXY, "Can't complete SOCKS5 "
		               "connection to %s. (%d)", host, r[1]);
	size_t len;
	switch (r[3]) {
	case 1: len = 4 + 4 + 2; break;
	case 3: len = 5 + (size_t)r[4] + 2; break;
	case 4: len = 4 + 16 + 2; break;
	default:
		return nk_fail(errmsg, NK_ERR_PROXY, "SOCKS5 reply has wrong "
		               "address type.");
	}
	if (len > 10)
		e = read_all(c, r + 10, len - 10, deadline, "SOCKS5 connect "
		             "request address", errmsg);
	return e;
}

static nk_err
socks5(nk_conn *c, const nk_socks *s, const nk_netopts *o, const char *host,
       int port, nk_time deadline, char *said, char *errmsg)
{
	nk_err e = socks5_auth(c, s, deadline, errmsg);
	if (e)
		return e;
	unsigned char req[4 + 256 + 2] = { 5, 1, 0 };
	size_t n = 0;
	e = socks5_addr(s, o, host, port, deadline, req + 3, &n, said, errmsg);
	if (e)
		return e;
	n += 3;
	req[n++] = (unsigned char)(port >> 8);
	req[n++] = (unsigned char)port;
	e = send_all(c, req, n, deadline, "SOCKS5 connect request", errmsg);
	return e ? e : socks5_reply(c, host, deadline, errmsg);
}

nk_err
nk_socks_connect(nk_conn *c, const nk_socks *s, const nk_netopts *o,
                 const char *host, int port, nk_time deadline, char *said,
                 char *errmsg)
{
	char to[1024];
	int toport;
	nk_err e = nk_connect_to_apply(o, host, port, to, sizeof to, &toport,
	                               errmsg);
	if (e)
		return e;
	if (toport < 1 || toport > 65535)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "port %d out of range", toport);
	if (s->kind == NK_SOCKS4 || s->kind == NK_SOCKS4A)
		e = socks4(c, s, o, to, toport, deadline, said, errmsg);
	else if (s->kind == NK_SOCKS5 || s->kind == NK_SOCKS5H)
		e = socks5(c, s, o, to, toport, deadline, said, errmsg);
	else
		e = nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		            "unknown SOCKS version %d", (int)s->kind);
	if (!e)
		nk_conn_set_target(c, to, toport);
	return e;
}
