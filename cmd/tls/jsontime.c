/* jsontime: a time in nk tls's JSON documents, for report.c and
 * diagout.c alike (declared in report.h). */
#include <stdio.h>
#include <time.h>

#include "report.h"
#include "text.h"

/* "2024-01-01 00:00:00 UTC" as RFC 3339 "2024-01-01T00:00:00Z". */
void
json_time(FILE *out, int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		fputs("null", out);
		return;
	}
	text_json(out, buf);
}
