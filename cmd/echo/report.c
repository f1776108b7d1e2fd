/* nk echo's report: see report.h. */
#include <math.h>
#include <stdio.h>

#include "report.h"
#include "text.h"

static unsigned long long nmismatches;

void
stats_rtt(const struct stats *s, double *avg, double *mdev)
{
	*avg = *mdev = 0;
	if (s->received == 0)
		return;
	double n = (double)s->received;
	*avg = s->sum / n;
	double var = s->sum2 / n - *avg * *avg;
	*mdev = var > 0 ? sqrt(var) : 0.0;
}

void
json_begin(const char *host, int port, const nk_conn *c, double connect_ms)
{
	fputs("{\"host\": ", stdout);
	text_json(stdout, host);
	fputs(", \"address\": ", stdout);
	text_json(stdout, c ? nk_conn_peer_str(c) : NULL);
	printf(", \"port\": %d, \"connect_ms\": ", port);
	if (c)
		printf("%.3f", connect_ms);
	else
		fputs("null", stdout);
	fputs(",\n \"mismatches\": [", stdout);
	nmismatches = 0;
}

void
json_mismatch(unsigned long long seq, size_t len, size_t at, unsigned sent,
              unsigned got, double ms)
{
	printf("%s\n  {\"seq\": %llu, \"bytes\": %zu, \"offset\": %zu, "
	       "\"sent\": %u, \"got\": %u, \"time_ms\": %.3f}",
	       nmismatches++ ? "," : "", seq, len, at, sent, got, ms);
}

void
json_end(const struct stats *s, double total_ms, nk_err e, const char *err)
{
	printf("%s],\n \"sent\": %llu, \"received\": %llu, \"mismatched\": "
	       "%llu, \"bytes\": %llu, \"time_ms\": %.1f, \"rtt_ms\": ",
	       nmismatches ? "\n " : "", s->sent, s->received, s->mismatched,
	       s->bytes, total_ms);
	if (s->received > 0) {
		double avg, mdev;
		stats_rtt(s, &avg, &mdev);
		printf("{\"min\": %.3f, \"avg\": %.3f, \"max\": %.3f, "
		       "\"mdev\": %.3f}", s->min, avg, s->max, mdev);
	} else {
		fputs("null", stdout);
	}
	fputs(",\n \"error\": ", stdout);
	text_json_error(stdout, e, err);
	fputs("}\n", stdout);
}
