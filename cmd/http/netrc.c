/* nk http's netrc options: see netrc.h. The lookups themselves happen in
 * libnk's fetcher, per request, for the host of each hop. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nk/netrc.h"
#include "netrc.h"

static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return h;
	const struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_dir : NULL;
}

nk_err
netrc_finish(struct netrc_opt *n, char *errmsg)
{
	if (!n->use && !n->optional) {
		n->file = NULL;
		return NK_OK;
	}
	const char *env = getenv("NETRC");
	if (!n->file && env && *env)
		n->file = env;
	if (!n->file) {
		const char *home = home_dir();
		if (!home)
			return NK_OK;
		size_t len = strlen(home) + sizeof "/.netrc";
		n->owned = malloc(len);
		if (!n->owned) {
			snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
			return NK_ERR_OUT_OF_MEMORY;
		}
		snprintf(n->owned, len, "%s/.netrc", home);
		n->file = n->owned;
	}
	/* No host: only the syntax, of the whole file. */
	char *user = NULL, *pass = NULL;
	return nk_netrc_lookup(n->file, NULL, NULL, &user, &pass, errmsg);
}

void
netrc_free(struct netrc_opt *n)
{
	free(n->owned);
	n->owned = NULL;
}
