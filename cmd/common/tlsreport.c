/* tlsreport: the short TLS summary other tools print in verbose mode. */
#include <string.h>
#include <time.h>

#include "tlsreport.h"

void
tlsreport_days(char *buf, size_t len, const struct nk_x509_facts *f,
               int64_t now)
{
	if (f->not_before > now)
		snprintf(buf, len, "not valid until %s", f->not_before_str);
	else if (f->not_after < now)
		snprintf(buf, len, "expired %lld day%s ago",
		         (long long)-f->days_left, f->days_left == -1 ? "" : "s");
	else if (f->days_left == 0)
		snprintf(buf, len, "expires within a day");
	else
		snprintf(buf, len, "%lld day%s left", (long long)f->days_left,
		         f->days_left == 1 ? "" : "s");
}

void
tlsreport_summary(FILE *out, const nk_tls_info *info, const char *host,
                  const char *prefix)
{
	struct nk_x509_facts f;
	char days[64];
	if (!info)
		return;
	if (!prefix)
		prefix = "";
	if (info->version[0]) {
		fprintf(out, "%s%s, %s", prefix, info->version, info->cipher);
		if (info->group[0])
			fprintf(out, ", %s", info->group);
		if (info->alpn[0])
			fprintf(out, ", ALPN %s", info->alpn);
		fprintf(out, "%s\n", info->resumed ? " (resumed)" : "");
	}
	const nk_x509 *leaf = nk_x509_chain_get(info->sent, 0);
	if (leaf && nk_x509_facts_get(leaf, (int64_t)time(NULL), &f, NULL) == 0) {
		tlsreport_days(days, sizeof days, &f, (int64_t)time(NULL));
		fprintf(out, "%scertificate: %s\n", prefix, f.subject);
		fprintf(out, "%s  issuer:  %s\n", prefix, f.issuer);
		fprintf(out, "%s  expires: %s (%s)\n", prefix, f.not_after_str, days);
		nk_x509_facts_clear(&f);
	}
	if (info->verify_ok)
		fprintf(out, "%s  verify:  OK for %s\n", prefix, host ? host : "");
	else if (info->verify_code != 0)
		fprintf(out, "%s  verify:  FAILED: %s\n", prefix,
		        info->verify_reason);
}
