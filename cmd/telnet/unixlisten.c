/* unixlisten: -l -U PATH, the Unix socket server side: making the socket
 * file (and what to do when PATH is already there), and removing it again
 * when nk ends, by a signal too. Accepting is listen.c's, as for TCP. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "dgram.h"
#include "listen.h"

/* The socket file a signal must remove: one listener per process. */
static const char *guard_path;
static dev_t guard_dev;
static ino_t guard_ino;

/* Removes path if it is still the socket we made (not a file put in its
 * place since). Async-signal-safe: lstat and unlink only. */
static void
remove_ours(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev &&
	    st.st_ino == ino)
		unlink(path);
}

static void
on_signal(int sig)
{
	if (guard_path)
		remove_ours(guard_path, guard_dev, guard_ino);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Whether something accepts connections on the socket at sun: a stale
 * socket (its server gone) refuses them. */
static int
someone_listens(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;       /* cannot tell: leave the file alone */
	int r = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	int en = errno;
	close(fd);
	return r == 0 || en != ECONNREFUSED;
}

/* PATH already there: a stale socket goes, anything else stays and is
 * the reason we cannot listen. */
static nk_err
clear_path(const struct sockaddr_un *sun, char *errmsg)
{
	const char *path = sun->sun_path;
	struct stat st;
	if (lstat(path, &st) != 0)
		return NK_OK;
	if (!S_ISSOCK(st.st_mode))
		return nk_err_set(errmsg, NK_ERR_FAILED_INIT, "-l -U: %s exists "
		                  "and is not a socket", path);
	if (someone_listens(sun))
		return nk_err_set(errmsg, NK_ERR_FAILED_INIT, "-l -U: something "
		                  "already listens on %s", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return nk_err_set(errmsg, NK_ERR_FAILED_INIT, "-l -U: cannot "
		                  "remove the stale socket %s: %s", path,
		                  strerror(errno));
	return NK_OK;
}

nk_err
listener_open_unix(struct listener *l, const char *path, char *errmsg)
{
	struct sockaddr_un sun;
	memset(l, 0, sizeof *l);
	nk_err e = unix_addr(path, &sun, errmsg);
	if (!e)
		e = clear_path(&sun, errmsg);
	if (e)
		return e;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return nk_err_set(errmsg, NK_ERR_FAILED_INIT, "socket: %s",
		                  strerror(errno));
	struct stat st;
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0 ||
	    listen(fd, 16) != 0 || lstat(path, &st) != 0) {
		int en = errno;
		close(fd);
		return nk_err_set(errmsg, NK_ERR_FAILED_INIT, "bind %s: %s", path,
		                  strerror(en));
	}
	l->fds[0] = fd;
	l->n = 1;
	l->path = path;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	return NK_OK;
}

void
listener_guard(const struct listener *l)
{
	if (!l->path)
		return;
	guard_path = l->path;
	guard_dev = l->dev;
	guard_ino = l->ino;
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGINT, on_signal);
}

void
listener_unlink(struct listener *l)
{
	if (!l->path)
		return;
	remove_ours(l->path, l->dev, l->ino);
	guard_path = NULL;
	l->path = NULL;
}
