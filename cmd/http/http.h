/* nk-http internals shared by its files: the output sinks, the terminal
 * display of heads and progress, and --write-out. */
#ifndef NK_CMD_HTTP_H
#define NK_CMD_HTTP_H

#include <stdio.h>
#include <stdint.h>
#include "nk/fetch.h"
#include "text.h"

/* ---- output.c: where a body goes ---------------------------------- */

/* A body's destination: stdout, a new file written through a temporary
 * name and renamed into place on success, an existing file written in
 * place, a file appended to (resume), or a device or FIFO written
 * directly. output.c says which and why. */
struct sink {
	const char *final;      /* the name the user asked for; NULL: stdout */
	char *target;           /* `final` with symbolic links followed: the
	                         * file written (owned) */
	char *tmp;              /* temporary file being written, or NULL */
	char *taken;            /* --no-clobber: the numbered name the file
	                         * got, or NULL (owned, left to the caller) */
	int fd;                 /* -1 until opened */
	int direct;             /* writes go to `final` itself */
	int inplace;            /* an existing file written in place */
	int emptied;            /* inplace: its old content is gone */
	int append;             /* -C: keep what is there, add to it */
	int no_clobber;         /* --no-clobber */
	int no_replace;         /* -J: the name must not exist */
	int remove_on_error;    /* --remove-on-error */
	int remove_target;      /* `target` goes if the transfer fails */
	int tty;                /* the fd is a terminal */
	int force_tty;          /* "-o -": write to a terminal whatever */
	int64_t start_size;     /* bytes the file had before (append) */
	uint64_t written;       /* bytes written by this transfer */
	int committed;
	struct capture *cap;    /* -Z: stdout's bytes go here, not to fd 1 */
};

/* sink_open flags: -C, --no-clobber, --remove-on-error. */
#define SINK_APPEND 1
#define SINK_NO_CLOBBER 2
#define SINK_REMOVE_ON_ERROR 4

/* Prepares a sink for `path` (NULL or "-" for stdout): creates the
 * temporary file for a new file, opens an existing one (without emptying
 * it yet) or a file to append to. Returns 0, or an nk_err with errmsg set
 * (23). */
int sink_open(struct sink *s, const char *path, int flags, char *errmsg);

/* Writes all of data; small pieces bound for stdout (not a terminal) are
 * held back and written together (sink_flush). Refuses binary bodies on a
 * terminal (`body` nonzero). Returns 0 or NK_ERR_WRITE_ERROR with errmsg
 * set. */
int sink_write(struct sink *s, const char *data, size_t len, int body,
               char *errmsg);

/* Writes out what sink_write held back for stdout (see output.c): call
 * before waiting for the network and before anything else writes to
 * stdout. Returns 0 or NK_ERR_WRITE_ERROR with errmsg set; after a failed
 * write every later call fails the same way. */
int sink_flush(char *errmsg);

/* The descriptor the body may be moved to by splice(2) (nk_fetch's
 * body_fd), with its name for messages; -1 for a terminal or a file
 * appended to. sink_moved counts len bytes that went there. */
int sink_splice_fd(const struct sink *s, const char **name);
void sink_moved(struct sink *s, size_t len);

/* Throws away what this transfer wrote (for a retry from scratch). */
int sink_rewind(struct sink *s, char *errmsg);

/* Success: renames the temporary file into place (with --no-clobber
 * under the first free name, kept in `taken`), or empties a file written
 * in place that got no byte. Returns 0 or 23. */
int sink_commit(struct sink *s, char *errmsg);

/* Failure: removes the temporary file, and with --remove-on-error a file
 * written in place or appended to. Safe after commit (no-op). */
void sink_abort(struct sink *s);

/* Nothing came to keep (a 304 wrote no byte): a file that was there is
 * left as it was, and none is made, as curl does. */
void sink_untouched(struct sink *s);

/* Removes every temporary file (and what sink_abort would remove) on
 * SIGINT, SIGTERM, SIGHUP, then dies of the signal as usual. Call once at
 * start-up. */
void sink_signals(void);

/* Removes what the signal handler would (-Z --fail-early's exit). */
void sink_unlink_all(void);

/* The name -O takes from a URL's path: its last segment. Refuses (returns
 * NULL with *err and errmsg set) an empty name, "." and ".." (23), so a
 * file is never written outside the current (or --output-dir) directory,
 * and a URL that does not parse (3). Caller frees. */
char *remote_name(const char *url, const char *default_scheme, int *err,
                  char *errmsg);

/* sink_open flag for -J: never over an existing name (refused at open,
 * and the rename replaces nothing). */
#define SINK_NO_REPLACE 8

/* ---- capture.c: a -Z transfer's stdout, held for its turn -------- */

/* Bytes held in memory before the capture moves to a temporary file. */
#define CAP_MEM (1024 * 1024)

struct capture {
	char *buf;              /* in memory, until CAP_MEM */
	size_t len, cap;
	int fd;                 /* the unlinked temporary file, or -1 */
	uint64_t total;
	FILE *f;                /* out_stdout's stream on it, or NULL */
	int err;
	char msg[NK_ERR_MSG_LEN];
	/* for -Z's meter, read by the main thread (atomic, relaxed) */
	uint64_t down, up;
	int64_t down_total, up_total;
};

/* Notes a worker's progress in its capture's counters (nothing outside
 * -Z); a total < 0 is unknown. */
void cap_progress(uint64_t down, int64_t down_total, uint64_t up,
                  int64_t up_total);

/* The capture of the transfer the running task runs (a -Z worker's:
 * par.c starts each task's argument with a pointer to it), or NULL
 * outside -Z: everything then goes to stdout as it comes. */
struct capture *cap_current(void);
#define cap_cur (cap_current())

void cap_init(struct capture *k);

/* Appends len bytes. Returns 0 or NK_ERR_WRITE_ERROR (errmsg set when
 * not NULL); a failure stays. */
int cap_write(struct capture *k, const char *data, size_t len,
              char *errmsg);

/* Where this thread's stdio output for stdout goes: the capture's stream
 * (owned by it, unbuffered) or stdout. */
FILE *out_stdout(void);

/* Writes the capture to stdout whole (stdout's stdio lock held, its
 * buffer flushed first). Returns 0 or NK_ERR_WRITE_ERROR with errmsg. */
int cap_emit(struct capture *k, char *errmsg);

void cap_free(struct capture *k);

/* ---- outname.c: -J's names, --create-dirs ------------------------- */

/* -J: the file name in a Content-Disposition value v[0..len): filename*
 * (RFC 8187, UTF-8 only) over filename, its last path component. *name
 * is NULL (and 0 returned) when there is none, or it ends in '/'.
 * Refuses (23, errmsg set) a name that is empty, "." or "..", or not
 * terminal-safe UTF-8. Caller frees *name. */
int cd_filename(const char *v, size_t len, char **name, char *errmsg);

/* --create-dirs: makes each missing directory of path (mode 0750, less
 * the umask). Returns 0, or 23 with errmsg set. */
int make_dirs(const char *path, char *errmsg);

/* ---- show.c: what people read ------------------------------------- */

/* isatty(fd), asked once per run for the standard streams. */
int show_isatty(int fd);

/* Whether a stream gets colour: a terminal and NO_COLOR unset or empty. */
int show_colour(FILE *f);

/* Writes a response or request head for a person: on a terminal, each
 * line has control characters and escape sequences escaped (\xNN) and
 * header names in bold; elsewhere the exact bytes. `prefix` ("< ", "> ")
 * starts every line and turns on escaping whatever the stream; lines then
 * end in "\n" alone. */
void show_head(FILE *f, const char *prefix, const char *head, size_t len,
               int tty, int colour);

/* The progress meter: on stderr, a terminal, after the first second. */
struct progress {
	int enabled;
	nk_time start, last;
	int64_t total;          /* expected bytes, -1 unknown */
	uint64_t got;
	int shown;
	int up;                 /* got counts body bytes sent, not received */
};
void progress_start(struct progress *p, int enabled);
void progress_update(struct progress *p, uint64_t got, int64_t total);
/* The same for the request body sent: the meter says "sent". */
void progress_upload(struct progress *p, uint64_t sent, int64_t total);
void progress_end(struct progress *p);

/* ---- writeout.c: -w --------------------------------------------- */

/* Per transfer facts -w needs beyond the fetch result. */
struct wo_info {
	const char *format;         /* -w's, as writeout_set made it */
	const nk_fetch_result *res;
	const char *url;            /* as given */
	int urlnum;                 /* 0-based */
	const char *filename;       /* filename_effective, or NULL */
	int exitcode;
	const char *errormsg;
	const char *referer;        /* as given */
	int auto_referer;           /* --referer ';auto' */
};

/* Checks a -w format (literal or @file, @- for stdin) and keeps it in
 * *format (malloc'd; the old one freed). Returns 0, or prints a message
 * and returns 2 (26 for an unreadable file). */
int writeout_set(const char *arg, char **format);

/* Prints the format for one transfer. */
void writeout_print(const struct wo_info *w);

/* Seconds, as -w prints them: "0.001234". */
double wo_secs(nk_time t);

/* ---- upload.c: -T ------------------------------------------------ */

/* A file to PUT: its descriptor, the body made of it, and the URL it goes
 * to when the file's name was added (else NULL: the URL as given). */
struct upload {
	int fd;
	int owned;              /* fd is ours to close (not stdin) */
	nk_fetch_body body;
	char *url;
};

/* Opens FILE ("-": standard input) for -T to URL: a regular file's size
 * is sent as Content-Length, anything else goes chunked. A file that
 * cannot be opened, or a directory, is NK_ERR_READ_ERROR (26) with
 * errmsg naming it. */
int upload_open(struct upload *u, const char *file, const char *url,
                char *errmsg);

void upload_close(struct upload *u);

#endif
