/* --hexdump and -o: see sesslog.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nk/err.h"
#include "sesslog.h"
#include "tool.h"

int
sesslog_open(struct sesslog *l, const char *hexpath, const char *outpath)
{
	memset(l, 0, sizeof *l);
	l->out = -1;
	l->hexpath = hexpath;
	l->outpath = outpath;
	if (hexpath && !(l->hex = fopen(hexpath, "we"))) {
		tool_msg("--hexdump: cannot create %s: %s", hexpath,
		         strerror(errno));
		return -1;
	}
	if (outpath && (l->out = open(outpath, O_WRONLY | O_CREAT | O_TRUNC |
	                              O_CLOEXEC, 0666)) < 0) {
		tool_msg("-o: cannot create %s: %s", outpath, strerror(errno));
		sesslog_close(l);
		return -1;
	}
	return 0;
}

/* ncat's hex lines (nbase's hexdump(): Wireshark's layout): the offset
 * in the chunk (from base) as 4 hex digits, modulo 0xffff as ncat's, the bytes in hex from column 7 with an
 * extra space after the eighth, the printable ones (isalnum or ispunct
 * in the C locale: not the space) from column 57, each line padded with
 * spaces to 73 columns. */
size_t
hexdump_lines(const unsigned char *p, size_t n, size_t base, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t len = 0;
	for (size_t i = 0; i < n; i += 16) {
		char *line = out + len;
		memset(line, ' ', HEXDUMP_LINE - 1);
		line[HEXDUMP_LINE - 1] = '\n';
		unsigned off = (unsigned)((base + i) % 0xffff);
		for (int d = 0; d < 4; d++)
			line[d] = hx[(off >> (12 - 4 * d)) & 0xf];
		for (size_t j = 0; j < 16 && i + j < n; j++) {
			unsigned char c = p[i + j];
			size_t h = 7 + 3 * j + (j >= 8);
			line[h] = hx[c >> 4];
			line[h + 1] = hx[c & 0xf];
			line[57 + j] = c > 0x20 && c < 0x7f ? (char)c : '.';
		}
		len += HEXDUMP_LINE;
	}
	out[len] = '\0';
	return len;
}

/* socat -v's chunk header: direction, local time to the microsecond,
 * the length, and the offsets of its first and last byte in its
 * direction's stream. */
static int
header(struct sesslog *l, FILE *f, int dir, size_t n)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	uint64_t from = l->off[dir];
	return fprintf(f, "%c %04d/%02d/%02d %02d:%02d:%02d.%06ld  "
	               "length=%zu from=%llu to=%llu\n",
	               dir == LOG_SENT ? '>' : '<', tm.tm_year + 1900,
	               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	               tm.tm_sec, ts.tv_nsec / 1000, n,
	               (unsigned long long)from,
	               (unsigned long long)(from + n - 1)) < 0 ? -1 : 0;
}

static int
write_hex(struct sesslog *l, FILE *f, int dir, const unsigned char *p,
          size_t n)
{
	if (header(l, f, dir, n) != 0)
		return -1;
	/* In pieces, so the buffer stays small however big the chunk. */
	char buf[HEXDUMP_MAX(1024)];
	for (size_t i = 0; i < n; i += 1024) {
		size_t k = n - i < 1024 ? n - i : 1024;
		size_t len = hexdump_lines(p + i, k, i, buf);
		if (fwrite(buf, 1, len, f) != len)
			return -1;
	}
	return fflush(f) == 0 ? 0 : -1;
}

int
sesslog_data(struct sesslog *l, int dir, const void *p, size_t n,
             char *msg)
{
	if (n == 0)
		return 0;
	if (l->hex && write_hex(l, l->hex, dir, p, n) != 0) {
		snprintf(msg, NK_ERR_MSG_LEN, "writing %s: %s", l->hexpath,
		         strerror(errno));
		return -1;
	}
	/* A closed or full stderr is no reason to end the session: the
	 * trace is a view of it, not its product. */
	if (l->trace)
		(void)write_hex(l, l->trace, dir, p, n);
	if (dir == LOG_RECEIVED && l->out >= 0 && tool_write_all(l->out, p, n) != 0) {
		snprintf(msg, NK_ERR_MSG_LEN, "writing %s: %s", l->outpath,
		         errno ? strerror(errno) : "no progress");
		return -1;
	}
	l->off[dir] += n;
	return 0;
}

void
sesslog_close(struct sesslog *l)
{
	if (l->hex)
		fclose(l->hex);
	if (l->out >= 0)
		close(l->out);
	l->hex = NULL;
	l->out = -1;
}
