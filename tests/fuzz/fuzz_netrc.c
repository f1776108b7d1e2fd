/* libFuzzer target: nk/netrc.h, the netrc tokenizer and entry search.
 *
 * Input: [0] flags (bit 0: ask for a login), then the host, a NUL, the
 * login, a NUL, and the netrc text (NULs allowed).
 *
 * The text is searched for the host, and checked whole (no host). A text
 * whose whole check passes must give no error for any host; credentials
 * come as a pair, and with a login asked for, the user is that login. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nk/netrc.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	int flags = fuzz_u8(&in);
	const uint8_t *h, *l;
	size_t hn = fuzz_field(&in, 0, &h);
	size_t ln = fuzz_field(&in, 0, &l);
	char *host = fuzz_strdup(h, hn);
	char *login = flags & 1 ? fuzz_strdup(l, ln) : NULL;
	char *u = NULL, *p = NULL, msg[NK_ERR_MSG_LEN];

	nk_err whole = nk_netrc_find((const char *)in.p, in.n, NULL, NULL, &u,
	                             &p, msg);
	FUZZ_CHECK(!u && !p, "credentials without a host");
	FUZZ_CHECK(whole == NK_OK || whole == NK_ERR_READ_ERROR,
	           "check: error %d", (int)whole);
	nk_err e = nk_netrc_find((const char *)in.p, in.n, host, login, &u, &p,
	                         msg);
	FUZZ_CHECK(e == NK_OK || (whole && e == NK_ERR_READ_ERROR),
	           "search: error %d, check %d", (int)e, (int)whole);
	FUZZ_CHECK((u == NULL) == (p == NULL), "half a pair");
	FUZZ_CHECK(!u || !login || strcmp(u, login) == 0,
	           "user %s is not the login asked for", u);
	FUZZ_CHECK(!e || !u, "credentials with an error");
	free(u);
	free(p);
	free(host);
	free(login);
	return 0;
}
