/* The session's logs: --hexdump FILE (both directions, each chunk headed
 * by its direction, time and stream offsets, its bytes in ncat -x's hex
 * lines), --trace (the same lines on stderr) and -o FILE (the bytes
 * received, as they came). */
#ifndef NK_TELNET_SESSLOG_H
#define NK_TELNET_SESSLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { LOG_SENT, LOG_RECEIVED };

struct sesslog {
	FILE *hex;              /* --hexdump, or NULL */
	FILE *trace;            /* --trace: stderr (set after sesslog_open),
	                         * or NULL; not closed by sesslog_close */
	int out;                /* -o, or -1 */
	uint64_t off[2];        /* bytes so far each way */
	const char *hexpath, *outpath;
};

/* Creates (truncating) the files named; either path may be NULL. 0, or
 * -1 after saying why. */
int sesslog_open(struct sesslog *l, const char *hexpath,
                 const char *outpath);

/* n bytes went (LOG_SENT) or came (LOG_RECEIVED). 0, or -1 with the
 * reason in msg (NK_ERR_MSG_LEN bytes). */
int sesslog_data(struct sesslog *l, int dir, const void *p, size_t n,
                 char *msg);

/* The hex lines of ncat -x for p[0..n), the first at offset base in its
 * chunk: into out, which needs HEXDUMP_MAX(n) bytes; returns the
 * length. */
#define HEXDUMP_LINE 74
#define HEXDUMP_MAX(n) (((n) / 16 + 1) * HEXDUMP_LINE + 1)
size_t hexdump_lines(const unsigned char *p, size_t n, size_t base,
                     char *out);

void sesslog_close(struct sesslog *l);

#endif
