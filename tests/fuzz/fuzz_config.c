/* Fuzz target: nk-http's config-file line tokenizer (cmd/http/config.c:
 * config_split) and the --expand-OPTION expansion (cmd/http/vars.c).
 *
 * Input: NUL-separated: a config line, the value of variable "a", and a
 * text to expand (the rest). stderr goes to memory. Checks: a line that
 * is neither blank nor a comment gives an option word inside the line
 * (empty only before a leading '=' or ':'),
 * without '=' or ':' when written without dashes, and a value no longer
 * than the line; a text without "{{" is left as it is; b64 then 64dec
 * gives the value back; url gives only unreserved bytes and %XX. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "vars.h"
#include "fuzz.h"

static void
check_split(const char *line)
{
	struct config_tok tok;
	int r = config_split(line, &tok);
	FUZZ_CHECK(r == 0 || r == 1, "config_split returned %d", r);
	const char *p = line + strspn(line, " \t\r\n\v\f");
	FUZZ_CHECK(r == (*p && *p != '#'), "blank or comment misread");
	if (r == 0)
		return;
	/* Empty only when the line starts with a separator: curl then warns
	 * of the option '' as unknown. */
	FUZZ_CHECK(tok.opt == p && tok.optlen <= strlen(p) &&
	           (tok.optlen > 0 || *p == '=' || *p == ':'),
	           "option word outside the line");
	FUZZ_CHECK(tok.dashed == (*p == '-'), "dashed wrong");
	if (!tok.dashed)
		FUZZ_CHECK(!memchr(tok.opt, '=', tok.optlen) &&
		           !memchr(tok.opt, ':', tok.optlen), "separator in word");
	FUZZ_CHECK(strlen(tok.val) <= strlen(line), "value longer than line");
	free(tok.val);
}

static char *
expand(const struct vars *vs, const char *text, int *e)
{
	char *out = NULL;
	*e = vars_expand(vs, text, &out);
	return out;
}

static void
check_vars(const char *val, const char *text)
{
	struct vars vs = { NULL, 0 };
	char *set = malloc(strlen(val) + 3);
	FUZZ_CHECK(set, "malloc");
	sprintf(set, "a=%s", val);
	FUZZ_CHECK(vars_set(&vs, set) == 0, "vars_set refused");
	free(set);
	int e;
	char *out = expand(&vs, text, &e);
	if (!strstr(text, "{{"))
		FUZZ_CHECK(e == 0 && !out, "a text without {{ changed");
	free(out);
	out = expand(&vs, "{{a:b64:64dec}}", &e);
	FUZZ_CHECK(e == 0 && (*val ? out && strcmp(out, val) == 0 : 1),
	           "b64 then 64dec is not the value");
	free(out);
	out = expand(&vs, "{{a:url}}", &e);
	FUZZ_CHECK(e == 0 && out, "url failed");
	for (const char *p = out; *p; p++)
		FUZZ_CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                  "0123456789-._~%", *p), "url left '%c'", *p);
	free(out);
	vars_free(&vs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	const uint8_t *f[3];
	size_t n[3];
	char *s[3];
	for (int i = 0; i < 3; i++) {
		n[i] = i < 2 ? fuzz_field(&in, 0, &f[i]) : in.n;
		if (i == 2)
			f[i] = in.p;
		s[i] = malloc(n[i] + 1);
		FUZZ_CHECK(s[i], "malloc");
		memcpy(s[i], f[i], n[i]);
		s[i][n[i]] = '\0';
	}
	char *err = NULL;
	size_t errlen = 0;
	FILE *se = stderr;
	stderr = open_memstream(&err, &errlen);
	FUZZ_CHECK(stderr, "open_memstream");
	check_split(s[0]);
	check_vars(s[1], s[2]);
	fclose(stderr);
	stderr = se;
	free(err);
	for (int i = 0; i < 3; i++)
		free(s[i]);
	return 0;
}
