/* listen: nk telnet -l, the server side: the listening sockets, the
 * next connection, and with --tls its handshake and who the client is. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "listen.h"
#include "nk/net.h"
#include "nk/text.h"
#include "nk/x509.h"
#include "session.h"

nk_err
listener_open(struct listener *l, const char *host, int port, int family,
              char *errmsg)
{
	l->n = sizeof l->fds / sizeof l->fds[0];
	l->path = NULL;
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
	listener_unlink(l);
}

/* The subject of the client's certificate, made safe for a terminal. */
static void
client_subject(const nk_tls_info *tls, char *out, size_t len)
{
	struct nk_x509_facts f;
	out[0] = '\0';
	if (!tls->sent || nk_x509_chain_len(tls->sent) == 0)
		return;
	if (nk_x509_facts_get(nk_x509_chain_get(tls->sent, 0), 0, &f,
	                      NULL) == NK_OK)
		nk_text_escape_to(out, len, f.subject, strlen(f.subject), 0);
	nk_x509_facts_clear(&f);
}

nk_err
listener_tls(struct session *s, nk_tls_ctx *ctx, nk_time deadline,
             nk_tls_info *tls, char *errmsg)
{
	nk_err e = nk_tls_accept(ctx, s->conn, deadline, tls, errmsg);
	if (e)
		return e;
	s->tls = tls;
	char subj[300];
	client_subject(tls, subj, sizeof subj);
	if (!subj[0])
		session_status(s, "TLS: %s, %s; no client certificate.",
		               tls->version, tls->cipher);
	else if (tls->verify_ok)
		session_status(s, "TLS: %s, %s; client certificate verified: %s.",
		               tls->version, tls->cipher, subj);
	else
		session_status(s, "TLS: %s, %s; client certificate NOT verified "
		               "(--insecure): %s: %s.", tls->version, tls->cipher,
		               subj, tls->verify_reason);
	return NK_OK;
}
