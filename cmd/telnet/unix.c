/* -U: a Unix domain stream socket in place of TCP, as nc -U and ncat -U. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "nk/err.h"
#include "dgram.h"

nk_err
unix_addr(const char *path, struct sockaddr_un *sun, char *errmsg)
{
	size_t n = strlen(path);
	memset(sun, 0, sizeof *sun);
	if (n == 0 || n >= sizeof sun->sun_path)
		return nk_err_set(errmsg, NK_ERR_FAILED_INIT, "-U: socket path "
		               "must be 1 to %zu bytes long",
		               sizeof sun->sun_path - 1);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n);
	return NK_OK;
}

nk_err
unix_connect(const char *path, nk_conn **out, char *errmsg)
{
	struct sockaddr_un sun;

	*out = NULL;
	nk_err e = unix_addr(path, &sun, errmsg);
	if (e)
		return e;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nk_err_set(errmsg, NK_ERR_COULDNT_CONNECT, "socket: %s",
		               strerror(errno));
	/* A local connect does not wait on the network: it succeeds, or
	 * fails at once (no such socket, nobody listening, full backlog). */
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		int err = errno;
		close(fd);
		return nk_err_set(errmsg, NK_ERR_COULDNT_CONNECT, "Failed to "
		               "connect to %s: %s", path, strerror(err));
	}
	return nk_conn_from_fd(fd, out, errmsg);
}
