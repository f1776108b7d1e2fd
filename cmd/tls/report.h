/* report: what nk tls found, analysed (the chains' facts, which sent
 * certificate is in the trust path, what expires within --expiry-warn),
 * the verdict's exit status, and the report as text or JSON. The report
 * owns its facts and the TLS info: report_free frees them. */
#ifndef NK_TLS_REPORT_H
#define NK_TLS_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "nk/nk.h"
#include "netargs.h"
#include "revcheck.h"

struct args {
	const char *target;          /* the one target; in a fleet, a job's */
	const char **targets;        /* every target of the command line */
	size_t ntargets;
	const char *file;            /* -f: more targets, one a line */
	long jobs;                   /* --jobs: fleet checks at once */
	struct netargs na;           /* -k is na.tls.insecure */
	const char *alpn, *output, *starttls;
	int json, pem, verbose;
	int fetch_aia;               /* --fetch-aia */
	int64_t max_time_ms;
	int64_t starttls_timeout_ms;
	long expiry_warn;            /* -1: not asked */
	int probe;                   /* --probe, with its rules (or NULL) */
	const char *fail_if, *policy;
	int ocsp, crl, revocation_required;  /* --ocsp, --crl, and whether
	                              * their answer must come (revcheck.c) */
};

/* Everything the report shows. */
struct report {
	const struct args *a;
	char host[256];              /* without brackets */
	int port;
	const char *name;            /* SNI and verify name */
	int sni;                     /* name went out as SNI (not an IP) */
	const char *trust;           /* what verification used, in words */
	char trust_buf[300];
	nk_connect_info cinfo;
	const char *addr;            /* connected address, or NULL */
	char addr_buf[64];
	int addr_port;
	nk_tls_info info;
	int handshake_done;
	nk_err err;                  /* the failure that ended the run */
	char errmsg[NK_ERR_MSG_LEN];
	int64_t now;
	struct nk_x509_facts *sf, *vf;   /* facts of sent and verified */
	size_t ns, nv;
	int *sent_in_path;           /* per sent cert: its path index or -1 */
	int *path_from_sent;         /* per path cert: its sent index or -1 */
	long expiring;               /* path index of the first cert expiring
	                              * within --expiry-warn, or -1 */
	int color;
	struct diag *diag;           /* the chain diagnosis (diag.h), or NULL */
	struct revcheck ocsp_chk, crl_chk;   /* --ocsp, --crl */
	nk_tls_ctx *ctx;             /* the check's context, kept for the
	                              * diagnosis; report_free frees it */
	nk_time deadline;            /* --max-time's, for the diagnosis */
};

/* What parse_args (main.c) allocated in a. */
void args_free(struct args *a);
/* Reads the facts of both chains and matches them; -1 when out of
 * memory (what was read is still freed by report_free). */
int analyse(struct report *r);
void report_free(struct report *r);

/* The first certificate of the trust path that expires within
 * --expiry-warn, or NULL. */
const struct nk_x509_facts *expiring_facts(const struct report *r);

/* The exit status: the run's failure, then verification (a revoked
 * leaf by --ocsp or --crl included), then --revocation-required, then
 * --expiry-warn. */
int verdict_code(const struct report *r);

/* The report for a person: the verdict, the connection, both chains. */
void text_report(FILE *out, const struct report *r);
/* The report as one JSON document; code is the exit status it states. */
void json_report(FILE *out, const struct report *r, int code);
/* t as RFC 3339 ("2024-01-01T00:00:00Z") in JSON, or null. */
void json_time(FILE *out, int64_t t);
/* The client certificate request alone (what a failed run still shows). */
void cert_request_text(FILE *out, const nk_tls_info *in);

#endif
