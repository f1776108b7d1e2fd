/* strput: strings assembled piece by piece on the per-request paths (URL
 * serialization, pool keys, a hop's addresses). snprintf costs about 700
 * instructions a call, and these ran nine times a request: a third of a
 * kept-alive request's instructions (docs/BENCHMARKS.md). */
#include <string.h>

#include "core/internal.h"

char *
nk_put_str(char *p, const char *end, const char *s)
{
	if (p >= end)
		return p;
	size_t room = (size_t)(end - p) - 1, n = strlen(s);
	if (n > room)
		n = room;
	memcpy(p, s, n);
	p[n] = '\0';
	return p + n;
}

char *
nk_put_uint(char *p, const char *end, unsigned long long v)
{
	char digits[24];
	size_t i = sizeof digits;
	digits[--i] = '\0';
	do
		digits[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return nk_put_str(p, end, digits + i);
}
