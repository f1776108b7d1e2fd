/* source: the local address a connection starts from (--source). */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/internal.h"
#include "net/net_int.h"

nk_err
nk_source_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                char *errmsg)
{
	char host[64];
	const char *orig = s, *port = NULL, *colon = strrchr(s, ':');
	size_t hl;

	memset(ss, 0, sizeof *ss);
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			goto bad;
		hl = (size_t)(end - s - 1);
		s++;
		port = end[1] ? end + 2 : NULL;
	} else if (colon && colon == strchr(s, ':')) {
		hl = (size_t)(colon - s);     /* one colon: IPv4:PORT */
		port = colon + 1;
	} else {
		hl = strlen(s);               /* IPv4, or IPv6 without a port */
	}
	if (hl == 0 || hl >= sizeof host)
		goto bad;
	memcpy(host, s, hl);
	host[hl] = '\0';
	int p = 0;
	char perr[NK_ERR_MSG_LEN];
	if (port && nk_port_parse(port, NULL, &p, perr) != NK_OK)
		goto bad;
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		*len = sizeof *v4;
		return NK_OK;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		*len = sizeof *v6;
		return NK_OK;
	}
bad:
	return nk_fail(errmsg, NK_ERR_FAILED_INIT, "bad source address '%s': "
	               "IPv4 or IPv6 literal, [v6] with a :PORT", orig);
}
