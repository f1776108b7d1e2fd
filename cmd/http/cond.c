/* nk http's files and conditions: -r's range, -z's date or file,
 * --etag-compare's If-None-Match and --etag-save's file, -R's file
 * times. The messages and their exit codes are curl 7.88's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "nk/http.h"
#include "nk/buf.h"
#include "tool.h"
#include "cond.h"
#include "http.h"

int
cond_set_range(struct cond *k, const char *arg, int quiet)
{
	if (*arg >= '0' && *arg <= '9' && !strchr(arg, '-')) {
		errno = 0;
		long long off = strtoll(arg, NULL, 10);
		if (errno) {
			tool_msg("-r: unsupported range point '%s'", arg);
			return NK_ERR_FAILED_INIT;
		}
		if (!quiet)
			tool_msg("warning: A specified range MUST include at least "
			         "one dash (-). Appending one for you!");
		char *r = malloc(32);
		if (!r)
			return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		snprintf(r, 32, "%lld-", off);
		k->range = r;
		return 0;
	}
	if (!quiet && arg[strspn(arg, "0123456789-,")])
		tool_msg("warning: Invalid character is found in given range. A "
		         "specified range MUST have only digits in 'start'-'stop'. "
		         "The server's response to this request is uncertain.");
	char *r = strdup(arg);
	if (!r)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	k->range = r;
	return 0;
}

void
cond_set_time(struct cond *k, const char *arg, int quiet)
{
	k->time_cond = *arg == '-' ? NK_FETCH_IF_UNMODIFIED
	               : *arg == '=' ? NK_FETCH_LAST_MODIFIED
	               : NK_FETCH_IF_MODIFIED;
	if (*arg == '+' || *arg == '-' || *arg == '=')
		arg++;
	k->time_value = nk_http_date_parse(arg);
	if (k->time_value != -1)
		return;
	struct stat st;
	if (stat(arg, &st) == 0) {
		k->time_value = (int64_t)st.st_mtime;
		return;
	}
	k->time_cond = 0;
	if (quiet)
		return;
	if (errno != ENOENT)
		tool_msg("warning: Failed to get filetime: %s", strerror(errno));
	tool_msg("warning: Illegal date format for -z, --time-cond (and not a "
	         "file name). Disabling time condition. See curl_getdate(3) "
	         "for valid date syntax.");
}

int
cond_etag_line(const struct cond *k, char **line, int quiet)
{
	*line = NULL;
	if (!k->etag_compare)
		return 0;
	FILE *f = fopen(k->etag_compare, "r");
	if (!f && !k->etag_save) {
		if (!quiet)
			tool_msg("Failed to open %s", k->etag_compare);
		return NK_ERR_READ_ERROR;
	}
	/* The file's lines joined, each cut at its CR: curl's reading. */
	nk_buf b = NK_BUF_INIT(0);
	nk_buf_adds(&b, "If-None-Match: ");
	size_t start = b.len;
	char chunk[256];
	while (f && fgets(chunk, sizeof chunk, f)) {
		chunk[strcspn(chunk, "\r\n")] = '\0';
		nk_buf_adds(&b, chunk);
	}
	if (f)
		fclose(f);
	if (b.len == start)
		nk_buf_adds(&b, "\"\"");
	*line = nk_buf_take(&b);
	return *line ? 0 : tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
}

int
cond_etag_open(const struct cond *k, FILE **f, int quiet)
{
	*f = NULL;
	if (!k->etag_save)
		return 0;
	*f = strcmp(k->etag_save, "-") == 0 ? out_stdout()
	     : fopen(k->etag_save, "wb");
	if (*f)
		return 0;
	if (!quiet) {
		tool_msg("warning: Failed creating file for saving etags: \"%s\". "
		         "Skip this transfer", k->etag_save);
		tool_msg("no transfer performed");
	}
	return NK_ERR_READ_ERROR;
}

void
cond_etag_write(FILE *f, const char *head, size_t len)
{
	const char *end = head + len;
	for (const char *p = head; f && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		const char *next = nl + 1;
		if (nl - p >= 5 && strncasecmp(p, "etag:", 5) == 0) {
			const char *v = p + 5;
			while (v < nl && (*v == ' ' || *v == '\t'))
				v++;
			while (nl > v && (nl[-1] == ' ' || nl[-1] == '\t' ||
			                  nl[-1] == '\r'))
				nl--;
			if (nl > v) {
				fwrite(v, 1, (size_t)(nl - v), f);
				fputc('\n', f);
				fflush(f);
			}
		}
		p = next;
	}
}

void
cond_etag_close(FILE *f)
{
	if (f && f != stdout && f != out_stdout())
		fclose(f);
}

void
cond_remote_time(const struct cond *k, const char *path,
                 const nk_fetch_result *res, int quiet)
{
	const nk_fetch_hop *h = nk_fetch_result_final(res);
	char v[256];
	struct stat st;
	if (!k->remote_time || !path || !h ||
	    !nk_fetch_hop_header(h, "Last-Modified", v, sizeof v) ||
	    stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	int64_t t = nk_http_date_parse(v);
	if (t < 0)
		return;
	struct timeval tv[2] = { { (time_t)t, 0 }, { (time_t)t, 0 } };
	if (utimes(path, tv) != 0 && !quiet)
		tool_msg("warning: Failed to set filetime %lld on '%s': %s",
		         (long long)t, path, strerror(errno));
}
