/* listen: nk telnet -l, the server side. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "listen.h"
#include "nk/net.h"

nk_err
listener_open(struct listener *l, const char *host, int port, int family,
              char *errmsg)
{
	l->n = sizeof l->fds / sizeof l->fds[0];
	nk_err e = nk_listen(host, port, family, l->fds, &l->n, errmsg);
	if (e)
		l->n = 0;
	return e;
}

nk_err
listener_accept(struct listener *l, nk_conn **out, char *errmsg)
{
	struct pollfd p[8];
	for (size_t i = 0; i < l->n; i++)
		p[i] = (struct pollfd){ l->fds[i], POLLIN, 0 };
	for (;;) {
		if (poll(p, l->n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return nk_err_set(errmsg, NK_ERR_RECV_ERROR, "poll: %s",
			                  strerror(errno));
		}
		for (size_t i = 0; i < l->n; i++) {
			if (!p[i].revents)
				continue;
			int fd = accept4(l->fds[i], NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;  /* gone before we took it, or EINTR */
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			return nk_conn_from_fd(fd, out, errmsg);
		}
	}
}

void
listener_close(struct listener *l)
{
	for (size_t i = 0; i < l->n; i++)
		close(l->fds[i]);
	l->n = 0;
}
