/* The names of output files that need more than the command line: -J's
 * from a Content-Disposition header (RFC 6266, RFC 8187), and the
 * directories --create-dirs makes for a path. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "nk/text.h"
#include "http.h"

/* A parameter's value at *p (a token, or a quoted-string with its
 * backslash escapes undone; one without its closing quote runs to the
 * end, as curl takes it), copied; *p moves past it. */
static char *
param_value(const char **p, const char *end)
{
	const char *q = *p;
	char *out = malloc((size_t)(end - q) + 1), *o = out;
	if (!out)
		return NULL;
	if (q < end && *q == '"') {
		for (q++; q < end && *q != '"'; q++) {
			if (*q == '\\' && q + 1 < end)
				q++;
			*o++ = *q;
		}
		if (q < end)
			q++;
	} else {
		while (q < end && *q != ';')
			*o++ = *q++;
		while (o > out && (o[-1] == ' ' || o[-1] == '\t'))
			o--;
	}
	*o = '\0';
	*p = q;
	return out;
}

/* filename*'s ext-value (RFC 8187): UTF-8''percent-encoded, decoded in
 * place; -1 for another charset, a bad escape or bytes that are not
 * UTF-8. */
static int
ext_value(char *v)
{
	if (strncasecmp(v, "UTF-8'", 6) != 0)
		return -1;
	const char *q = strchr(v + 6, '\'');
	if (!q)
		return -1;
	char *o = v;
	for (q++; *q; q++) {
		if (*q == '%') {
			char hex[3] = { q[1], q[1] ? q[2] : '\0', '\0' };
			if (!isxdigit((unsigned char)hex[0]) ||
			    !isxdigit((unsigned char)hex[1]))
				return -1;
			*o++ = (char)strtol(hex, NULL, 16);
			q += 2;
		} else {
			*o++ = *q;
		}
	}
	*o = '\0';
	size_t n = (size_t)(o - v);
	return memchr(v, '\0', n) || nk_utf8_valid(v, n) != n ? -1 : 0;
}

/* The last component of a path, with '/' and (as curl) '\' both ending
 * one; NULL when it is empty (the name ended in a separator). */
static const char *
last_component(const char *v)
{
	const char *s = strrchr(v, '/');
	if (s)
		v = s + 1;
	s = strrchr(v, '\\');
	if (s)
		v = s + 1;
	return *v ? v : NULL;
}

/* Whether the name may be a file's: not empty, ".", "..", and nothing a
 * terminal would not show as it is (control characters, invalid UTF-8,
 * bidirectional controls). */
static const char *
name_refused(const char *n)
{
	if (!*n)
		return "it is empty";
	if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return "it names a directory";
	size_t len = strlen(n);
	for (size_t i = 0, k; i < len; i += k)
		if ((k = nk_text_safe_len(n + i, len - i, 0)) == 0)
			return "it has control characters or bytes that are not "
			       "UTF-8";
	return NULL;
}

int
cd_filename(const char *v, size_t len, char **name, char *errmsg)
{
	const char *p = memchr(v, ';', len), *end = v + len;
	char *plain = NULL, *ext = NULL;
	*name = NULL;
	while (p && p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		const char *n = p;
		while (p < end && *p != '=' && *p != ';')
			p++;
		size_t nlen = (size_t)(p - n);
		while (nlen && (n[nlen - 1] == ' ' || n[nlen - 1] == '\t'))
			nlen--;
		if (p >= end || *p != '=')
			continue;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		char **slot = nlen == 8 && strncasecmp(n, "filename", 8) == 0
		              ? &plain : nlen == 9 &&
		              strncasecmp(n, "filename*", 9) == 0 ? &ext : NULL;
		char *val = param_value(&p, end);
		if (!val) {
			free(plain);
			free(ext);
			snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
			return NK_ERR_OUT_OF_MEMORY;
		}
		/* The first of each wins; filename* only if it decodes. */
		if (slot && !*slot && (slot == &plain || ext_value(val) == 0))
			*slot = val;
		else
			free(val);
	}
	char *chosen = ext ? ext : plain;
	if (!chosen)
		return 0;
	/* A name that ends in a separator names no file: as curl, the
	 * URL's name is used. */
	const char *base = chosen == plain && !*chosen ? chosen
	                   : last_component(chosen);
	const char *why = base ? name_refused(base) : NULL;
	int e = 0;
	if (why) {
		char shown[128];
		nk_text_escape_to(shown, sizeof shown, base, strlen(base), 0);
		snprintf(errmsg, NK_ERR_MSG_LEN, "-J: refusing the file name "
		         "\"%s\" from Content-Disposition: %s", shown, why);
		e = NK_ERR_WRITE_ERROR;
	} else if (base && !(*name = strdup(base))) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
		e = NK_ERR_OUT_OF_MEMORY;
	}
	free(plain);
	free(ext);
	return e;
}

int
make_dirs(const char *path, char *errmsg)
{
	char *d = strdup(path);
	if (!d) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
		return NK_ERR_OUT_OF_MEMORY;
	}
	/* Each directory before the last '/', from the top. */
	for (char *s = strchr(d + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		/* One that exists but is no directory fails the next. */
		if (mkdir(d, 0750) != 0 && errno != EEXIST) {
			snprintf(errmsg, NK_ERR_MSG_LEN, "cannot create the "
			         "directory %.200s: %s", d, strerror(errno));
			free(d);
			return NK_ERR_WRITE_ERROR;
		}
		*s = '/';
	}
	free(d);
	return 0;
}
