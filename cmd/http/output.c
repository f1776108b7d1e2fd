/* output: where bodies go.
 *
 * The contract (nk-http(1), "Output files"):
 *
 * - A name that does not exist yet is written through a temporary file in
 *   the same directory (so rename(2) stays on one file system), renamed
 *   into place only once the transfer completed: a failure, --max-time or
 *   a signal leaves nothing under that name, and the temporary file is
 *   removed. Its name fits NAME_MAX whatever the final name's length.
 * - An existing regular file (or the one a symbolic link names) is
 *   written in place, so it keeps its inode, mode, owner and hard links,
 *   and a read-only directory does not matter. It is emptied when the
 *   first byte of output comes: a transfer that fails before leaves it as
 *   it was; one that fails later leaves what had arrived (as curl).
 * - A symbolic link is followed whether or not its target exists; a
 *   missing target is a new file.
 * - Devices and FIFOs (-o /dev/null) are written directly, and so is a
 *   file being resumed (-C), whose point is to keep what it has.
 * - --no-clobber: a new file always, under the first free name of NAME,
 *   NAME.1 ... NAME.100, taken without replacing anything when the
 *   transfer completed. --remove-on-error: a file this transfer wrote in
 *   place or appended to is removed when it fails (or is killed). */
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

/* The files to remove if a signal kills nk: temporary files, and with
 * --remove-on-error the files being written in place. A fixed table: the
 * handler may not allocate. */
#define MAX_TMP 320
static char *volatile tmp_paths[MAX_TMP];

static void
tmp_register(char *path)
{
	/* -Z's workers register at the same time: a slot is taken with a
	 * compare-and-swap. */
	for (int i = 0; i < MAX_TMP; i++)
		if (__sync_bool_compare_and_swap(&tmp_paths[i], NULL, path))
			return;
}

static void
tmp_forget(const char *path)
{
	for (int i = 0; i < MAX_TMP; i++)
		__sync_bool_compare_and_swap(&tmp_paths[i], (char *)path, NULL);
}

void
sink_unlink_all(void)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (tmp_paths[i])
			unlink(tmp_paths[i]);
}

static void
on_signal(int sig)
{
	sink_unlink_all();
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

/* "BEFORE PATH: AFTER" in errmsg, with the start of PATH left out ("...")
 * when all of it does not fit: the end of a message (why it failed) says
 * more than the start of a long path. Returns NK_ERR_WRITE_ERROR. */
static int
path_msg(char *errmsg, const char *before, const char *path,
         const char *after)
{
	const char *parts[] = { before, "", path, ": ", after };
	size_t len[5], fixed = 0;
	for (int i = 0; i < 5; i++)
		fixed += len[i] = strlen(parts[i]);
	fixed -= len[2];
	size_t room = NK_ERR_MSG_LEN - 1 > fixed + 3 ? NK_ERR_MSG_LEN - 1 - fixed
	              : 3;
	if (len[2] > room) {
		parts[1] = "...";
		len[1] = 3;
		parts[2] += len[2] - (room - 3);
		len[2] = room - 3;
	}
	size_t at = 0;
	for (int i = 0; i < 5; i++) {
		size_t n = len[i] < NK_ERR_MSG_LEN - 1 - at ? len[i]
		           : NK_ERR_MSG_LEN - 1 - at;
		memcpy(errmsg + at, parts[i], n);
		at += n;
	}
	errmsg[at] = '\0';
	return NK_ERR_WRITE_ERROR;
}

static int
oom(char *errmsg)
{
	snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
	return NK_ERR_OUT_OF_MEMORY;
}

/* The name a symbolic link `p` points to, relative to p's directory.
 * NULL with errno set on failure. */
static char *
link_target(const char *p, size_t size)
{
	char *t = malloc(size + 1);
	if (!t)
		return NULL;
	ssize_t n = readlink(p, t, size + 1);
	if (n < 0 || (size_t)n > size) {
		if (n >= 0)
			errno = ENAMETOOLONG;   /* the link grew meanwhile */
		free(t);
		return NULL;
	}
	t[n] = '\0';
	const char *slash = strrchr(p, '/');
	if (t[0] == '/' || !slash)
		return t;
	size_t dirlen = (size_t)(slash - p) + 1;
	char *full = malloc(dirlen + (size_t)n + 1);
	if (full) {
		memcpy(full, p, dirlen);
		memcpy(full + dirlen, t, (size_t)n + 1);
	}
	free(t);
	return full;
}

/* *out: `path` with symbolic links in its last component followed, to a
 * name that is not a link (which need not exist: curl creates a dangling
 * link's target, and so does nk). Returns 0, or 23 with errmsg set. */
static int
follow_links(const char *path, char **out, char *errmsg)
{
	char *p = strdup(path);
	struct stat st;
	int hops = 0;
	while (p && lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (++hops > 40) {
			free(p);
			return path_msg(errmsg, "cannot open ", path, strerror(ELOOP));
		}
		char *next = link_target(p, st.st_size > 0 ? (size_t)st.st_size
		                         : PATH_MAX);
		int err = errno;
		free(p);
		p = next;
		if (!p && err != ENOMEM)
			return path_msg(errmsg, "cannot open ", path, strerror(err));
	}
	if (!p)
		return oom(errmsg);
	*out = p;
	return 0;
}

/* Makes the temporary file for `final` in its directory: ".NAME.nk-XXXXXX",
 * with NAME cut short so that it fits NAME_MAX. */
static int
make_tmp(struct sink *s, const char *final, char *errmsg)
{
	const char *slash = strrchr(final, '/');
	size_t dirlen = slash ? (size_t)(slash - final) + 1 : 0;
	const char *base = slash ? slash + 1 : final;
	static const char suffix[] = ".nk-XXXXXX";
	int baselen = (int)strnlen(base, NAME_MAX - sizeof suffix);
	size_t n = dirlen + (size_t)baselen + sizeof suffix + 1;
	char *t = malloc(n);
	if (!t)
		return oom(errmsg);
	snprintf(t, n, "%.*s.%.*s%s", (int)dirlen, final, baselen, base, suffix);
	int fd = tool_mkstemp(t);
	if (fd < 0) {
		free(t);
		return path_msg(errmsg, "cannot create ", s->final, strerror(errno));
	}
	s->tmp = t;
	s->fd = fd;
	tmp_register(t);
	return 0;
}

/* With --remove-on-error, the file written in place or appended to is
 * removed if the transfer fails from now on, or a signal kills nk. */
static void
arm_removal(struct sink *s)
{
	if (!s->remove_on_error || s->remove_target)
		return;
	s->remove_target = 1;
	tmp_register(s->target);
}

/* A device, a FIFO, or a file resumed with -C: written as it is. */
static int
open_direct(struct sink *s, int exists, const struct stat *st,
            char *errmsg)
{
	int regular = !exists || S_ISREG(st->st_mode);
	int fl = O_WRONLY | O_CREAT | O_CLOEXEC |
	         (s->append && regular ? O_APPEND : 0);
	s->fd = open(s->target, fl, 0666);
	if (s->fd < 0)
		return path_msg(errmsg, "cannot open ", s->final, strerror(errno));
	s->direct = 1;
	s->tty = show_isatty(s->fd);
	struct stat now;
	if (s->append && fstat(s->fd, &now) == 0 && S_ISREG(now.st_mode)) {
		s->start_size = now.st_size;
		arm_removal(s);
	}
	return 0;
}

/* Opens the file for a sink whose target is known (symbolic links
 * followed): by the kind of file that is there, if any. */
static int
open_file(struct sink *s, char *errmsg)
{
	const char *path = s->final;
	struct stat st;
	int exists = stat(s->target, &st) == 0;
	if (!exists && errno != ENOENT)
		return path_msg(errmsg, "cannot open ", path, strerror(errno));
	if (exists && S_ISDIR(st.st_mode))
		return path_msg(errmsg, "cannot write to ", path, "it is a "
		                "directory");
	if (s->append || (exists && !S_ISREG(st.st_mode)))
		return open_direct(s, exists, &st, errmsg);
	if (!exists)
		return make_tmp(s, s->target, errmsg);
	/* Opened now, so that a file nk cannot write fails before the
	 * request; emptied only when output comes (sink_start). */
	s->fd = open(s->target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (s->fd < 0)
		return path_msg(errmsg, "cannot open ", path, strerror(errno));
	s->inplace = 1;
	return 0;
}

int
sink_open(struct sink *s, const char *path, int flags, char *errmsg)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->append = (flags & SINK_APPEND) != 0;
	if (!path || strcmp(path, "-") == 0) {
		s->fd = STDOUT_FILENO;
		s->direct = 1;
		s->cap = cap_cur;
		s->tty = show_isatty(STDOUT_FILENO);
		s->force_tty = path != NULL;
		return 0;
	}
	s->final = path;
	s->remove_on_error = (flags & SINK_REMOVE_ON_ERROR) != 0;
	/* curl leaves --no-clobber out of a resume. */
	s->no_clobber = (flags & SINK_NO_CLOBBER) && !s->append;
	if (s->no_clobber)
		return make_tmp(s, path, errmsg);
	/* -J: a name that is there (a link too, dangling or not) stays. */
	struct stat st;
	if (flags & SINK_NO_REPLACE) {
		if (lstat(path, &st) == 0)
			return path_msg(errmsg, "refusing to overwrite ", path,
			                strerror(EEXIST));
		s->no_replace = 1;
		return make_tmp(s, path, errmsg);
	}
	int e = follow_links(path, &s->target, errmsg);
	if (!e && (e = open_file(s, errmsg)) != 0) {
		free(s->target);
		s->target = NULL;
	}
	return e;
}

/* The first byte for a file written in place: its old content goes. */
static int
sink_start(struct sink *s, char *errmsg)
{
	if (!s->inplace || s->emptied)
		return 0;
	if (ftruncate(s->fd, 0) != 0)
		return path_msg(errmsg, "cannot truncate ", s->final,
		                strerror(errno));
	s->emptied = 1;
	arm_removal(s);
	return 0;
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
			return path_msg(errmsg, "writing to ", name, strerror(errno));
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
sink_flush(char *errmsg)
{
	/* A -Z worker holds its own output (capture.c); the main thread
	 * owns this buffer. */
	if (cap_cur)
		return 0;
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
	if (s->cap) {
		int e = cap_write(s->cap, data, len, errmsg);
		if (!e)
			s->written += len;
		return e;
	}
	int h = hold(s, data, len, errmsg);
	if (h < 0)
		return -h;
	if (!h && (h = sink_start(s, errmsg)) != 0)
		return h;
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
	 * byte is moved (nk_fetch's flush callback). A file written in place
	 * is asked for before the body's first byte, which must come through
	 * sink_write to empty it: emptied now, it would lose its content to a
	 * transfer that fails before sending any. */
	if (s->fd < 0 || s->tty || s->append || (s->inplace && !s->emptied) ||
	    s->cap)
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
	if (s->tmp || s->inplace) {
		if (ftruncate(s->fd, 0) != 0 || lseek(s->fd, 0, SEEK_SET) != 0)
			return path_msg(errmsg, "cannot rewind ", s->final,
			                strerror(errno));
		s->written = 0;
		return 0;
	}
	/* Held for its turn: nothing is out yet. */
	if (s->cap && !s->cap->f && s->cap->fd < 0) {
		s->cap->len = s->cap->total = 0;
		s->written = 0;
		return 0;
	}
	snprintf(errmsg, NK_ERR_MSG_LEN, "cannot take back %llu bytes "
	         "already written to %s", (unsigned long long)s->written,
	         s->final ? s->final : "stdout");
	return NK_ERR_WRITE_ERROR;
}

/* Puts the temporary file under the first free one of NAME, NAME.1 ...
 * NAME.100 (NAME alone for -J), replacing nothing even if a file
 * appeared meanwhile. */
static int
place_numbered(struct sink *s, char *errmsg)
{
	size_t n = strlen(s->final) + 5;
	char *name = malloc(n);
	if (!name)
		return oom(errmsg);
	for (int i = 0; i <= (s->no_replace ? 0 : 100); i++) {
		if (i == 0)
			snprintf(name, n, "%s", s->final);
		else
			snprintf(name, n, "%s.%d", s->final, i);
		int r = renameat2(AT_FDCWD, s->tmp, AT_FDCWD, name,
		                  RENAME_NOREPLACE);
		/* A file system without RENAME_NOREPLACE: a hard link does not
		 * replace either. */
		if (r != 0 && errno == EINVAL && (r = link(s->tmp, name)) == 0)
			unlink(s->tmp);
		if (r == 0) {
			if (i)
				s->taken = name;
			else
				free(name);
			return 0;
		}
		if (errno != EEXIST) {
			path_msg(errmsg, "cannot create ", name, strerror(errno));
			free(name);
			return NK_ERR_WRITE_ERROR;
		}
	}
	free(name);
	if (s->no_replace)
		return path_msg(errmsg, "refusing to overwrite ", s->final,
		                strerror(EEXIST));
	return path_msg(errmsg, "--no-clobber: ", s->final, "it and every "
	                "name from .1 to .100 exist");
}

/* The end of a file transfer: the temporary file is renamed into place
 * or removed, and with --remove-on-error a file written in place is
 * removed on failure. */
static void
finish(struct sink *s, int failed)
{
	if (s->fd >= 0 && s->fd != STDOUT_FILENO)
		close(s->fd);
	s->fd = -1;
	if (s->tmp) {
		if (failed)
			unlink(s->tmp);
		tmp_forget(s->tmp);
		free(s->tmp);
		s->tmp = NULL;
	}
	if (s->remove_target) {
		if (failed)
			unlink(s->target);
		tmp_forget(s->target);
	}
	free(s->target);
	s->target = NULL;
}

int
sink_commit(struct sink *s, char *errmsg)
{
	if (s->committed)
		return 0;
	s->committed = 1;
	if (s->fd == STDOUT_FILENO)
		return 0;
	/* An empty body empties an existing file too. */
	int rc = sink_start(s, errmsg);
	if (s->fd >= 0) {
		if (close(s->fd) != 0 && !rc)
			rc = path_msg(errmsg, "writing to ", s->final, strerror(errno));
		s->fd = -1;
	}
	if (!rc && s->tmp && (s->no_clobber || s->no_replace))
		rc = place_numbered(s, errmsg);
	else if (!rc && s->tmp && rename(s->tmp, s->target) != 0)
		rc = path_msg(errmsg, "cannot rename the temporary file to ",
		              s->final, strerror(errno));
	finish(s, rc != 0);
	return rc;
}

void
sink_abort(struct sink *s)
{
	if (s->committed)
		return;
	s->committed = 1;
	finish(s, 1);
}

char *
remote_name(const char *url, const char *default_scheme, int *err,
            char *errmsg)
{
	*err = NK_ERR_WRITE_ERROR;
	nk_url *u = NULL;
	nk_err e;
	char msg[NK_ERR_MSG_LEN];
	/* A URL given without a scheme, as nk_fetch takes it. */
	e = nk_url_parse_default_scheme(url, default_scheme, &u, msg);
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

void
sink_untouched(struct sink *s)
{
	if (s->committed)
		return;
	if (s->remove_target) {
		tmp_forget(s->target);
		s->remove_target = 0;
	}
	sink_abort(s);
}
