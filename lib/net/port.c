/* port: a port as a user writes one, a number or a service name (see
 * nk_port_parse in nk/net.h). */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <arpa/inet.h>

#include "nk/net.h"
#include "core/internal.h"

nk_err
nk_port_parse(const char *s, const char *proto, int *port, char *errmsg)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	int number = end != s && *end == '\0';
	if (number && errno == 0 && v >= 1 && v <= 65535) {
		*port = (int)v;
		return NK_OK;
	}
	if (number || !proto)
		return nk_fail(errmsg, NK_ERR_SETOPT_OPTION_SYNTAX,
		               "port takes 1 to 65535, not '%s'", s);
	/* The _r form: getservbyname's static entry would not be safe for
	 * two threads. */
	struct servent se, *found = NULL;
	char buf[1024];
	if (getservbyname_r(s, proto, &se, buf, sizeof buf, &found) != 0 ||
	    !found)
		return nk_fail(errmsg, NK_ERR_SETOPT_OPTION_SYNTAX,
		               "unknown port or service '%s'", s);
	*port = ntohs((uint16_t)found->s_port);
	return NK_OK;
}
