/* probe rules: --fail-if's small expression language and --policy's
 * Mozilla profiles, judged over a probe's results.
 *
 *   expr := and { "||" and }      and := unary { "&&" unary }
 *   unary := "!" unary | "(" expr ")" | atom
 *
 * An atom is a word: tls1.0 ... tls1.3, stapling, session-id, ticket,
 * resumption, secure-renegotiation, sni-required, sni-differs, or
 * cipher:GLOB, group:GLOB, sigalg:GLOB, alpn:NAME (true when anything
 * accepted matches; fnmatch globs, case-insensitive). Each alternative of
 * the top level that is true is one violation, named by its own text. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe.h"
#include "tool.h"

struct parser {
	const char *s;
	size_t i;
	const struct probe_result *res;   /* NULL: syntax only */
	char err[160];
	char matches[900];                /* what the term's globs matched */
	int atoms;                        /* in the current top-level term */
	int negated;                      /* ... under a "!" */
};

static void
skip_space(struct parser *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t')
		p->i++;
}

static int
word_char(char c)
{
	return c && !strchr(" \t()!&|", c);
}

static void
add_match(struct parser *p, const char *name)
{
	size_t l = strlen(p->matches);
	if (l >= 3 && strcmp(p->matches + l - 3, "...") == 0)
		return;
	if (l + strlen(name) + 8 < sizeof p->matches)
		snprintf(p->matches + l, sizeof p->matches - l, "%s%s",
		         l ? ", " : "", name);
	else
		snprintf(p->matches + l, sizeof p->matches - l, ", ...");
}

static int
glob(const char *pat, const char *name)
{
	return fnmatch(pat, name, FNM_CASEFOLD) == 0;
}

static int
any_suite(struct parser *p, const char *pat)
{
	int hit = 0;
	for (int v = 0; v < PV_N; v++)
		for (size_t i = 0; i < p->res->v[v].nsuites; i++) {
			const struct probe_suite *s = &p->res->v[v].suites[i];
			if (glob(pat, s->iana) || glob(pat, s->ossl)) {
				if (!strstr(p->matches, s->iana))
					add_match(p, s->iana);
				hit = 1;
			}
		}
	return hit;
}

static int
any_named(struct parser *p, const char *pat, const tri (*acc)[16],
          const char *const *names, size_t n)
{
	int hit = 0;
	for (size_t i = 0; i < n; i++)
		if ((acc[0][i] == 1 || acc[1][i] == 1) && glob(pat, names[i])) {
			add_match(p, names[i]);
			hit = 1;
		}
	return hit;
}

/* The value of the word w (len bytes); -1 for a word that is none. */
static int
atom_value(struct parser *p, const char *w)
{
	const struct probe_result *r = p->res;
	static const char *const vers[PV_N] = {
		"tls1.0", "tls1.1", "tls1.2", "tls1.3",
	};
	for (int v = 0; v < PV_N; v++)
		if (strcasecmp(w, vers[v]) == 0)
			return r ? r->v[v].accepted == 1 : 0;
	static const char *const flags[] = {
		"stapling", "session-id", "ticket", "resumption",
		"secure-renegotiation", "sni-required", "sni-differs",
	};
	for (size_t f = 0; f < sizeof flags / sizeof *flags; f++) {
		if (strcasecmp(w, flags[f]) != 0)
			continue;
		if (!r)
			return 0;
		switch (f) {
		case 0: return r->stapling == 1;
		case 1: return r->resume_id == 1;
		case 2: return r->resume_ticket == 1 || r->resume_13 == 1;
		case 3: return r->resume_id == 1 || r->resume_ticket == 1 ||
		               r->resume_13 == 1;
		case 4: return probe_secure_reneg(r) == 1;
		case 5: return r->sni_tested && r->nosni_error[0];
		default: return r->sni_differs;
		}
	}
	const char *colon = strchr(w, ':');
	if (!colon || !colon[1])
		return -1;
	size_t kl = (size_t)(colon - w);
	const char *pat = colon + 1;
	if (kl == 6 && strncasecmp(w, "cipher", 6) == 0)
		return r ? any_suite(p, pat) : 0;
	if (kl == 5 && strncasecmp(w, "group", 5) == 0) {
		tri acc[2][16] = { { 0 } };
		for (int g = 0; r && g < PROBE_NGROUPS; g++) {
			acc[0][g] = r->groups[0][g];
			acc[1][g] = r->groups[1][g];
		}
		return r ? any_named(p, pat, (const tri (*)[16])acc,
		                     probe_group_names, PROBE_NGROUPS) : 0;
	}
	if (kl == 6 && strncasecmp(w, "sigalg", 6) == 0)
		return r ? any_named(p, pat, (const tri (*)[16])r->sigalgs,
		                     probe_sigalg_names, PROBE_NSIGALGS) : 0;
	if (kl == 4 && strncasecmp(w, "alpn", 4) == 0) {
		for (int i = 0; i < PROBE_NALPN; i++)
			if (strcasecmp(pat, probe_alpn_names[i]) == 0)
				return r ? r->alpn[i] == 1 : 0;
		return -1;
	}
	return -1;
}

static int parse_or(struct parser *p);

static int
parse_atom(struct parser *p)
{
	char w[128];
	size_t n = 0;
	while (word_char(p->s[p->i]) && n + 1 < sizeof w)
		w[n++] = p->s[p->i++];
	w[n] = '\0';
	if (n == 0) {
		if (p->s[p->i])
			snprintf(p->err, sizeof p->err, "unexpected '%c' at column "
			         "%zu", p->s[p->i], p->i + 1);
		else
			snprintf(p->err, sizeof p->err, "the expression ends too "
			         "early");
		return 0;
	}
	int v = atom_value(p, w);
	if (v < 0)
		snprintf(p->err, sizeof p->err, "unknown word '%.100s'", w);
	p->atoms++;
	return v > 0;
}

static int
parse_unary(struct parser *p)
{
	skip_space(p);
	if (p->s[p->i] == '!') {
		p->i++;
		p->negated = 1;
		return !parse_unary(p);
	}
	if (p->s[p->i] == '(') {
		p->i++;
		int v = parse_or(p);
		skip_space(p);
		if (!p->err[0] && p->s[p->i] != ')')
			snprintf(p->err, sizeof p->err, "missing ')' at column %zu",
			         p->i + 1);
		p->i++;
		return v;
	}
	return parse_atom(p);
}

static int
parse_and(struct parser *p)
{
	int v = parse_unary(p);
	for (;;) {
		skip_space(p);
		if (p->err[0] || strncmp(p->s + p->i, "&&", 2) != 0)
			return v;
		p->i += 2;
		int w = parse_unary(p);
		v = v && w;
	}
}

static int
parse_or(struct parser *p)
{
	int v = parse_and(p);
	for (;;) {
		skip_space(p);
		if (p->err[0] || strncmp(p->s + p->i, "||", 2) != 0)
			return v;
		p->i += 2;
		int w = parse_and(p);
		v = v || w;
	}
}

static int
add_violation(struct probe_verdict *vd, const char *rule, const char *fmt,
              ...) NK_PRINTF(3, 4);

static int
add_violation(struct probe_verdict *vd, const char *rule, const char *fmt,
              ...)
{
	if (vd->n == vd->cap) {
		size_t cap = vd->cap ? vd->cap * 2 : 16;
		void *nv = realloc(vd->v, cap * sizeof *vd->v);
		if (!nv)
			return -1;
		vd->v = nv;
		vd->cap = cap;
	}
	struct probe_violation *v = &vd->v[vd->n++];
	snprintf(v->rule, sizeof v->rule, "%s", rule);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->what, sizeof v->what, fmt, ap);
	va_end(ap);
	return 0;
}

/* The top level by hand: each alternative's text and value. */
static int
judge_expr(const char *expr, const struct probe_result *res,
           struct probe_verdict *vd)
{
	struct parser p = { expr, 0, res, "", "", 0, 0 };
	for (;;) {
		skip_space(&p);
		size_t start = p.i;
		p.matches[0] = '\0';
		p.atoms = p.negated = 0;
		int v = parse_and(&p);
		if (p.err[0])
			break;
		size_t end = p.i;
		while (end > start && (expr[end - 1] == ' ' || expr[end - 1] == '\t'))
			end--;
		if (v && vd) {
			int show = p.atoms == 1 && !p.negated && p.matches[0];
			if (add_violation(vd, "--fail-if", "%.*s%s%s%s",
			                  (int)(end - start), expr + start,
			                  show ? " (" : "", show ? p.matches : "",
			                  show ? ")" : "") != 0)
				return -1;
		}
		skip_space(&p);
		if (!expr[p.i])
			return 0;
		if (strncmp(expr + p.i, "||", 2) != 0) {
			snprintf(p.err, sizeof p.err, "unexpected '%c' at column %zu",
			         expr[p.i], p.i + 1);
			break;
		}
		p.i += 2;
	}
	tool_msg("bad --fail-if expression: %s", p.err);
	return -2;
}

int
probe_rules_parse_check(const char *expr)
{
	return judge_expr(expr, NULL, NULL) == 0 ? 0 : -1;
}

/* ---- Mozilla's Server Side TLS guidelines 5.7 ---------------------------- */

struct profile {
	const char *name;
	int versions[PV_N];            /* allowed */
	const char *const *suites12;   /* allowed TLS 1.2 suites, OpenSSL names */
	int ffdhe;                     /* the finite-field groups are allowed */
};

static const char *const tls13_suites[] = {
	"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
	"TLS_CHACHA20_POLY1305_SHA256", NULL,
};
static const char *const inter12[] = {
	"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
	"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
	"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
	"DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384",
	"DHE-RSA-CHACHA20-POLY1305", NULL,
};
static const char *const none[] = { NULL };
static const char *const curves[] = { "X25519", "P-256", "P-384", NULL };

static const struct profile profiles[] = {
	{ "modern", { 0, 0, 0, 1 }, none, 0 },
	{ "intermediate", { 0, 0, 1, 1 }, inter12, 1 },
};

static int
listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static int
judge_profile(const struct profile *pf, const struct probe_result *res,
              struct probe_verdict *vd)
{
	char rule[64];
	snprintf(rule, sizeof rule, "policy %s", pf->name);
	int rc = 0;
	for (int v = 0; v < PV_N && rc == 0; v++) {
		const struct probe_version *pv = &res->v[v];
		if (pv->accepted == 1 && !pf->versions[v])
			rc = add_violation(vd, rule, "%s is accepted",
			                   probe_version_names[v]);
		if (!pf->versions[v])
			continue;
		const char *const *ok = v == PV_13 ? tls13_suites : pf->suites12;
		for (size_t i = 0; i < pv->nsuites && rc == 0; i++)
			if (!listed(ok, pv->suites[i].ossl))
				rc = add_violation(vd, rule, "%s suite %s is accepted",
				                   probe_version_names[v],
				                   pv->suites[i].iana);
	}
	if (rc == 0 && !pf->versions[PV_12] && res->v[PV_13].accepted != 1)
		rc = add_violation(vd, rule, "TLSv1.3 is not accepted");
	for (int k = 0; k < 2 && rc == 0; k++)
		for (int g = 0; g < PROBE_NGROUPS && rc == 0; g++) {
			const char *n = probe_group_names[g];
			if (res->groups[k][g] == 1 && !listed(curves, n) &&
			    !(pf->ffdhe && strncmp(n, "ffdhe", 5) == 0))
				rc = add_violation(vd, rule, "%s group %s is accepted",
				                   k ? "TLSv1.3" : "TLSv1.2", n);
		}
	return rc;
}

int
probe_rules_judge(const char *fail_if, const char *policy,
                  const struct probe_result *res, struct probe_verdict *out)
{
	if (policy)
		for (size_t i = 0; i < sizeof profiles / sizeof *profiles; i++)
			if (strcmp(profiles[i].name, policy) == 0 &&
			    judge_profile(&profiles[i], res, out) != 0)
				return -1;
	if (fail_if && judge_expr(fail_if, res, out) == -1)
		return -1;
	return 0;
}

void
probe_verdict_free(struct probe_verdict *v)
{
	free(v->v);
	memset(v, 0, sizeof *v);
}
