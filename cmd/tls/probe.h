/* probe: nk tls --probe, what a server accepts, learnt from many
 * handshakes of chosen shapes (nk_tls_probe), run by a bounded pool of
 * threads; the results as a table or JSON; --fail-if and --policy as
 * rules over them. probe.c runs the probes, probe_show.c prints,
 * probe_rules.c judges, probe_names.c has the names all of them use. */
#ifndef NK_TLS_PROBE_H
#define NK_TLS_PROBE_H

#include <stddef.h>
#include <stdio.h>

#include "nk/nk.h"
#include "report.h"

/* The exit status of a probe that broke a --fail-if or --policy rule. */
#define PROBE_EXIT_VIOLATION 102

/* Handshakes at once: enough that a full probe of a loopback server takes
 * well under a second, few enough that a server's per-client limits
 * (nginx limit_conn, fail2ban) are not what is measured. */
#define PROBE_PARALLEL 8

enum { PV_10, PV_11, PV_12, PV_13, PV_N };
#define PROBE_MAX_SUITES 160
#define PROBE_NGROUPS 10
#define PROBE_NSIGALGS 16
#define PROBE_NALPN 2

extern const char *const probe_version_names[PV_N];   /* "TLSv1.0" ... */
extern const int probe_version_wire[PV_N];            /* 0x0301 ... */
extern const char *const probe_group_names[PROBE_NGROUPS];
extern const char *const probe_sigalg_names[PROBE_NSIGALGS];
extern const char *const probe_alpn_names[PROBE_NALPN];

struct probe_suite {
	char iana[80];
	char ossl[64];
};

/* Yes (1), no (0), or not tested (-1): a feature of a version the
 * server does not accept. */
typedef signed char tri;

struct probe_version {
	tri accepted;
	struct probe_suite suites[PROBE_MAX_SUITES];  /* in the order found */
	size_t nsuites;
	tri server_order;    /* 1 the server's order, 0 the client's, -1 not
	                      * known (fewer than two suites) */
	tri secure_reneg;    /* RFC 5746, seen at this version */
};

struct probe_result {
	struct probe_version v[PV_N];
	tri groups[2][PROBE_NGROUPS];     /* [0] TLS 1.2, [1] TLS 1.3 */
	tri sigalgs[2][PROBE_NSIGALGS];
	tri resume_id, resume_ticket, resume_13;
	tri stapling;
	tri alpn[PROBE_NALPN];            /* each offered alone */
	char alpn_first[64];              /* chosen from "h2,http/1.1" */
	char alpn_reversed[64];           /* ... from "http/1.1,h2" */
	int sni_tested;                   /* the name is not an IP */
	char subject_sni[256];            /* leaf subject with SNI */
	char subject_nosni[256];          /* ... without; "" when refused */
	char nosni_error[NK_ERR_MSG_LEN]; /* why without SNI failed */
	int sni_differs;
	char def_version[16], def_cipher[80], def_group[32];
	char def_error[NK_ERR_MSG_LEN];   /* why the default offer failed */
	int connections;
	double seconds;
	nk_err err;                       /* what ended the probe early */
	char errmsg[NK_ERR_MSG_LEN];
};

/* The secure renegotiation verdict: at the highest version up to 1.2. */
tri probe_secure_reneg(const struct probe_result *res);

/* One broken rule. */
struct probe_violation {
	char rule[64];                    /* "policy intermediate", "--fail-if" */
	char what[1024];                  /* "TLSv1.0 is accepted" */
};

struct probe_verdict {
	struct probe_violation *v;
	size_t n, cap;
};

/* Checks a --fail-if expression's syntax; -1 with a one-line message on
 * stderr when it is wrong. */
int probe_rules_parse_check(const char *expr);

/* Judges res by --fail-if (may be NULL) and --policy (may be NULL),
 * appending what they find to out; -1 out of memory. */
int probe_rules_judge(const char *fail_if, const char *policy,
                      const struct probe_result *res,
                      struct probe_verdict *out);

void probe_verdict_free(struct probe_verdict *v);

void probe_text(FILE *out, const struct report *r,
                const struct probe_result *res,
                const struct probe_verdict *vd);
void probe_json(FILE *out, const struct report *r,
                const struct probe_result *res,
                const struct probe_verdict *vd, int code);

/* The options that do not go with --probe, or need it; -1 with a
 * message on stderr. */
int probe_args_check(const struct args *a);

/* --probe: everything after the arguments; returns the exit status. */
int probe_run(struct report *r);

#endif
