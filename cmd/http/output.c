/* output: where bodies go, without ever leaving a half-written file under
 * the name the user asked for.
 *
 * A regular file is written to a temporary file in the same directory
 * (".NAME.nk-XXXXXX", so rename(2) stays on one file system) and renamed
 * over NAME only once the transfer completed; on an error, --max-time or a
 * signal the temporary file is removed. Devices and FIFOs (-o /dev/null)
 * are written directly, and so is a file being resumed (-C), whose point
 * is to keep what it already has. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "nk/url.h"
#include "http.h"
#include "tool.h"

/* The temporary files that exist right now, for the signal handler. A
 * fixed table: the handler may not allocate. */
#define MAX_TMP 8
static char *volatile tmp_paths[MAX_TMP];

static void
tmp_register(char *path)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (!tmp_paths[i]) {
			tmp_paths[i] = path;
			return;
		}
}

static void
tmp_forget(const char *path)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (tmp_paths[i] == path)
			tmp_paths[i] = NULL;
}

static void
on_signal(int sig)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (tmp_paths[i])
			unlink(tmp_paths[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
sink_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < NK_ARRAY_LEN(sigs); i++) {
		/* A signal ignored at start (nohup, a background job) stays
		 * ignored. */
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* Makes the temporary file for `final` in its directory. */
static int
make_tmp(struct sink *s, const char *final, char *errmsg)
{
	const char *slash = strrchr(final, '/');
	size_t dirlen = slash ? (size_t)(slash - final) + 1 : 0;
	const char *base = slash ? slash + 1 : final;
	size_t n = dirlen + strlen(base) + 16;
	char *t = malloc(n);
	if (!t)
		return snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory"),
		       NK_ERR_OUT_OF_MEMORY;
	snprintf(t, n, "%.*s.%s.nk-XXXXXX", (int)dirlen, final, base);
	int fd = tool_mkstemp(t);
	if (fd < 0) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "cannot create %s: %s", final,
		         strerror(errno));
		free(t);
		return NK_ERR_WRITE_ERROR;
	}
	s->tmp = t;
	s->fd = fd;
	tmp_register(t);
	return 0;
}

int
sink_open(struct sink *s, const char *path, int append, char *errmsg)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	if (!path || strcmp(path, "-") == 0) {
		s->fd = STDOUT_FILENO;
		s->direct = 1;
		s->tty = show_isatty(STDOUT_FILENO);
		s->force_tty = path != NULL;
		s->append = append;
		return 0;
	}
	s->final = path;
	s->append = append;
	struct stat st;
	int exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "cannot write to %s: it is a "
		         "directory", path);
		return NK_ERR_WRITE_ERROR;
	}
	if (append || (exists && !S_ISREG(st.st_mode))) {
		int fl = O_WRONLY | O_CREAT | O_CLOEXEC |
		         (append && (!exists || S_ISREG(st.st_mode)) ? O_APPEND : 0);
		s->fd = open(path, fl, 0666);
		if (s->fd < 0) {
			snprintf(errmsg, NK_ERR_MSG_LEN, "cannot open %s: %s", path,
			         strerror(errno));
			return NK_ERR_WRITE_ERROR;
		}
		s->direct = 1;
		s->tty = show_isatty(s->fd);
		if (append && fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode))
			s->start_size = st.st_size;
		return 0;
	}
	/* A symbolic link keeps pointing where it did: the file it names is
	 * the one replaced. */
	char real[PATH_MAX];
	struct stat lst;
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && exists &&
	    realpath(path, real)) {
		s->final = s->real = strdup(real);
		if (!s->real) {
			snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
			return NK_ERR_OUT_OF_MEMORY;
		}
	}
	return make_tmp(s, s->final, errmsg);
}

/* Output bound for stdout (not a terminal) is gathered here and written
 * in one piece when the buffer fills, when nk is about to wait for the
 * network or to move a body with splice(2) (sink_flush, from nk_fetch's
 * flush callback), before anything else writes to stdout, and at exit: a
 * thousand pipelined 100-byte bodies take a few write(2) calls instead of
 * a thousand, and a slow stream still shows each piece as soon as it
 * came. A terminal gets every piece at once. What is held when a signal
 * kills nk is lost, as with curl's buffered stdout. */
#define HOLD_LEN (64 * 1024)
static struct {
	char *buf;              /* HOLD_LEN, allocated at first use */
	size_t len;
	int err;                /* a write to stdout failed: every later one
	                         * fails the same way (nothing is dropped
	                         * quietly) */
	char msg[NK_ERR_MSG_LEN];
} held;

static int
write_all(int fd, const char *data, size_t len, const char *name,
          char *errmsg)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* An O_NONBLOCK stdout that is full: wait as a
			 * blocking one would have. */
			struct pollfd p = { fd, POLLOUT, 0 };
			if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
			    (poll(&p, 1, -1) >= 0 || errno == EINTR))
				continue;
			snprintf(errmsg, NK_ERR_MSG_LEN, "writing to %s: %s", name,
			         strerror(errno));
			return NK_ERR_WRITE_ERROR;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
sink_flush(char *errmsg)
{
	if (held.err) {
		memcpy(errmsg, held.msg, NK_ERR_MSG_LEN);
		return held.err;
	}
	if (held.len == 0)
		return 0;
	size_t len = held.len;
	held.len = 0;
	held.err = write_all(STDOUT_FILENO, held.buf, len, "stdout", held.msg);
	if (held.err)
		memcpy(errmsg, held.msg, NK_ERR_MSG_LEN);
	return held.err;
}

/* Takes data into the held buffer if it is stdout's and fits. Returns 1
 * when it did, 0 when the caller should write directly (after what is
 * held has gone out), or an error. */
static int
hold(const struct sink *s, const char *data, size_t len, char *errmsg)
{
	/* stdout's sink has no name (a file may get descriptor 1 when nk was
	 * started with stdout closed). */
	if (s->final || s->tty)
		return 0;
	if (held.len + len > HOLD_LEN) {
		int e = sink_flush(errmsg);
		if (e)
			return -e;
	}
	if (len >= HOLD_LEN)
		return 0;
	if (!held.buf && !(held.buf = malloc(HOLD_LEN)))
		return 0;
	memcpy(held.buf + held.len, data, len);
	held.len += len;
	return 1;
}

/* A body that would garble a terminal: curl's test, a NUL byte. */
static int
looks_binary(const char *data, size_t len)
{
	return memchr(data, 0, len) != NULL;
}

int
sink_write(struct sink *s, const char *data, size_t len, int body,
           char *errmsg)
{
	if (body && s->tty && !s->force_tty && looks_binary(data, len)) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "the body looks binary, so it "
		         "is not written to the terminal: use -o FILE to save it, "
		         "or -o - to see it anyway");
		return NK_ERR_WRITE_ERROR;
	}
	int h = hold(s, data, len, errmsg);
	if (h < 0)
		return -h;
	if (!h) {
		int e = sink_flush(errmsg);
		if (!e)
			e = write_all(s->fd, data, len, s->final ? s->final : "stdout",
			              errmsg);
		if (e)
			return e;
	}
	s->written += len;
	return 0;
}

int
sink_splice_fd(const struct sink *s, const char **name)
{
	/* A terminal's bytes are looked at (binary or not); splice(2)
	 * refuses a file opened O_APPEND. What is held goes out before any
	 * byte is moved (nk_fetch's flush callback). */
	if (s->fd < 0 || s->tty || s->append)
		return -1;
	*name = s->final ? s->final : "stdout";
	return s->fd;
}

void
sink_moved(struct sink *s, size_t len)
{
	s->written += len;
}

int
sink_rewind(struct sink *s, char *errmsg)
{
	if (s->written == 0)
		return 0;
	if (s->tmp) {
		if (ftruncate(s->fd, 0) != 0 || lseek(s->fd, 0, SEEK_SET) != 0) {
			snprintf(errmsg, NK_ERR_MSG_LEN, "cannot rewind %s: %s",
			         s->tmp, strerror(errno));
			return NK_ERR_WRITE_ERROR;
		}
		s->written = 0;
		return 0;
	}
	snprintf(errmsg, NK_ERR_MSG_LEN, "cannot take back %llu bytes "
	         "already written to %s", (unsigned long long)s->written,
	         s->final ? s->final : "stdout");
	return NK_ERR_WRITE_ERROR;
}

int
sink_commit(struct sink *s, char *errmsg)
{
	int rc = 0;
	if (s->committed)
		return 0;
	s->committed = 1;
	if (s->fd == STDOUT_FILENO)
		return 0;
	if (s->fd >= 0 && close(s->fd) != 0) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "writing to %s: %s", s->final,
		         strerror(errno));
		rc = NK_ERR_WRITE_ERROR;
	}
	s->fd = -1;
	if (s->tmp) {
		if (!rc && rename(s->tmp, s->final) != 0) {
			snprintf(errmsg, NK_ERR_MSG_LEN, "cannot rename %s to %s: %s",
			         s->tmp, s->final, strerror(errno));
			rc = NK_ERR_WRITE_ERROR;
		}
		if (rc)
			unlink(s->tmp);
		tmp_forget(s->tmp);
		free(s->tmp);
		s->tmp = NULL;
	}
	if (s->final == s->real)
		s->final = NULL;
	free(s->real);
	s->real = NULL;
	return rc;
}

void
sink_abort(struct sink *s)
{
	if (s->committed)
		return;
	s->committed = 1;
	if (s->fd >= 0 && s->fd != STDOUT_FILENO)
		close(s->fd);
	s->fd = -1;
	if (s->tmp) {
		unlink(s->tmp);
		tmp_forget(s->tmp);
		free(s->tmp);
		s->tmp = NULL;
	}
	if (s->final == s->real)
		s->final = NULL;
	free(s->real);
	s->real = NULL;
}

char *
remote_name(const char *url, const char *default_scheme, int *err,
            char *errmsg)
{
	*err = NK_ERR_WRITE_ERROR;
	nk_url *u = NULL;
	nk_err e;
	char msg[NK_ERR_MSG_LEN];
	if (strstr(url, "://")) {
		e = nk_url_parse(url, NULL, &u, msg);
	} else {
		/* A URL given without a scheme, as nk_fetch takes it. */
		size_t n = strlen(url) + strlen(default_scheme) + 4;
		char *full = malloc(n);
		if (!full) {
			*err = NK_ERR_OUT_OF_MEMORY;
			snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
			return NULL;
		}
		snprintf(full, n, "%s://%s", default_scheme, url);
		e = nk_url_parse(full, NULL, &u, msg);
		free(full);
	}
	if (e) {
		*err = e;
		snprintf(errmsg, NK_ERR_MSG_LEN, "invalid URL \"%.100s\": %.120s",
		         url, msg);
		return NULL;
	}
	const char *path = nk_url_get(u, NK_URL_PATHNAME);
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char *out = NULL;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		snprintf(errmsg, NK_ERR_MSG_LEN, "-O: the URL %s has no file name "
		         "in its path; use -o FILE", url);
	else if (!(out = strdup(name)))
		snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
	nk_url_free(u);
	return out;
}
