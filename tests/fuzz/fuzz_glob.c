/* Fuzz target: nk http's URL globbing (cmd/http/glob.c).
 *
 * Input: the URL pattern, a NUL, then an -o name template (both cut at
 * the next NUL). A pattern parses, or fails with a one-line message that
 * fits; a parsed one counts 1 to GLOB_MAX_URLS URLs, and its first, last
 * and middle URLs and names are made without fault. A pattern with no
 * byte of []{}\ is its one URL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nk/err.h"
#include "glob.h"
#include "fuzz.h"

static void
one(const struct glob *g, size_t k, const char *name)
{
	char *u = glob_url(g, k);
	FUZZ_CHECK(u != NULL, "no URL %zu", k);
	free(u);
	char *n = glob_name(g, k, name);
	FUZZ_CHECK(n != NULL, "no name %zu", k);
	free(n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 2);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = in[size + 1] = '\0';
	const char *url = in, *name = in + strlen(in) + 1;
	if (name > in + size)
		name = "";
	char errmsg[NK_ERR_MSG_LEN] = "";
	struct glob *g = NULL;
	int e = glob_parse(url, &g, errmsg, sizeof errmsg);
	if (e) {
		FUZZ_CHECK(e == NK_ERR_URL_MALFORMAT, "error %d", e);
		FUZZ_CHECK(errmsg[0] && !strchr(errmsg, '\n') ? 1
		           : strchr(url, '\n') != NULL, "bad message");
		FUZZ_CHECK(g == NULL, "glob left on failure");
		free(in);
		return 0;
	}
	size_t n = glob_count(g);
	FUZZ_CHECK(n >= 1 && n <= GLOB_MAX_URLS, "count %zu", n);
	one(g, 0, name);
	one(g, n / 2, name);
	one(g, n - 1, name);
	if (!strpbrk(url, "[]{}\\")) {
		char *u = glob_url(g, 0);
		FUZZ_CHECK(n == 1 && u && strcmp(u, url) == 0,
		           "plain URL changed: %s", url);
		free(u);
	}
	glob_free(g);
	free(in);
	return 0;
}
