/* trace.c: the fetcher's own lines for cb->trace (information and
 * warnings), formatted once here. */
#include <stdio.h>
#include <string.h>

#include "fetch/fetch_int.h"

void
fetch_trace(const nk_fetch_callbacks *cb, const char *fmt, ...)
{
	if (!fetch_wants(cb, NK_FETCH_INFO))
		return;
	char line[NK_ERR_MSG_LEN * 2];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	cb->trace(cb->ctx, NK_FETCH_INFO, line, (size_t)n, NULL);
}

void
fetch_warn(const nk_fetch_callbacks *cb, const char *text)
{
	if (fetch_wants(cb, NK_FETCH_WARNING))
		cb->trace(cb->ctx, NK_FETCH_WARNING, text, strlen(text), NULL);
}
