/* tool: what every nk-<tool> shares: its name in messages, one-line errors,
 * number parsing, and the version report. */
#ifndef NK_CMD_TOOL_H
#define NK_CMD_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include "nk/defs.h"
#include "nk/err.h"

#define NK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Set from argv[0] by tool_init: "nk-url". */
extern const char *tool_name;

/* Records the program name, ignores SIGPIPE (a closed pipe is an EPIPE
 * write error, never a death) and sets the C locale's stdout buffering. */
void tool_init(int argc, char **argv);

/* "nk-url: <message>\n" on stderr, escaped as text_safe does. */
void tool_msg(const char *fmt, ...) NK_PRINTF(1, 2);

/* Prints "nk-x: <errmsg>" (or the code's sentence if errmsg is empty) and
 * returns the code for the caller to exit with. With tool_code_in_msgs
 * set (nk http, as curl) the line is "nk-x: (N) <errmsg>". */
int tool_fail(nk_err e, const char *errmsg);
extern int tool_code_in_msgs;

/* tool_fail with a message put together from fmt. */
int tool_failf(nk_err e, const char *fmt, ...) NK_PRINTF(2, 3);

/* Parses a whole decimal number in [min, max]; prints and returns -1 on
 * anything else. `what` names the option in the message. */
int tool_parse_long(const char *s, long min, long max, const char *what,
                    long *out);

/* Parses seconds with an optional fraction ("2", "0.5") into milliseconds. */
int tool_parse_secs(const char *s, const char *what, int64_t *ms);

/* Prints "nk-x 0.1.0 (libnk 0.1.0)", then calls tool_version_hook (if a
 * tool set it) to print the run-time versions of the libraries it uses. */
void tool_version(void);
extern void (*tool_version_hook)(void);

/* mkstemp(3) for a file that will be renamed into place as output: the
 * mode is the usual one for a new file, 0666 less the umask, as curl and
 * open(2) give, not mkstemp's 0600. Returns the descriptor, or -1 with
 * errno set and no file left behind. */
int tool_mkstemp(char *tmpl);

/* Flushes stdout; returns NK_ERR_WRITE_ERROR with a message on failure
 * (a full disk, a closed pipe). */
int tool_flush_stdout(void);

/* Writes all n bytes of p to fd, across short writes and EINTR. Returns
 * 0, or -1 with errno set (EPIPE: the reader went away; 0: a write
 * that wrote nothing). The caller words the message: whether a closed
 * reader is an error is its choice. */
int tool_write_all(int fd, const void *p, size_t n);

#endif
