/* diag: nk tls's chain diagnosis (issue 19): why a chain does not verify
 * and what would fix it (the missing issuer, its AIA URL, with
 * --fetch-aia the fetched intermediate and the completed chain), the
 * order of what the server sent, and warnings about a chain that verifies
 * but should not be relied on for long. The diagnosis owns everything it
 * holds; diag_free releases it. */
#ifndef NK_TLS_DIAG_H
#define NK_TLS_DIAG_H

#include <stdio.h>

#include "nk/nk.h"
#include "report.h"

#define DIAG_MAX_FETCH 4        /* AIA fetches of one run */
#define DIAG_MAX_AIA_BYTES 65536
#define DIAG_FETCH_MS 5000      /* each fetch, within --max-time */

struct diag_fetch {
	char url[512];
	int status;                 /* HTTP status; 0 when none came */
	size_t bytes;
	size_t ncerts;              /* certificates read from the body */
	nk_err err;
	char errmsg[NK_ERR_MSG_LEN];
};

struct diag_warning {
	const char *code;           /* stable: "weak-key", ... */
	char text[600];
};

struct diag {
	/* What the server sent, in order. */
	int *issuing;               /* sent indices from the leaf up, as each
	                             * one issued the one before */
	size_t nissuing;
	int out_of_order;
	int *dup_of;                /* per sent cert: the earlier index it
	                             * repeats, or -1 */
	int *unrelated;             /* per sent cert: 1 if it is no link
	                             * from the leaf up (and no duplicate) */
	int root_sent;              /* sent index of a root, or -1 */

	/* The chain as sent, verified anew with the whole path built, when
	 * the handshake's verification failed. */
	nk_chain_verdict sent_v;
	int missing;                /* the path ends below a root */
	char missing_subject[1024]; /* the issuer nobody has */
	char missing_for[1024];     /* the certificate it issued */
	struct nk_chain_links top;  /* that certificate's links */

	/* --fetch-aia */
	struct diag_fetch fetch[DIAG_MAX_FETCH];
	size_t nfetch;
	nk_x509_chain *fetched;     /* what the fetches gave, or NULL */
	nk_chain_verdict aia_v;     /* sent + fetched, when anything came */
	int aia_ran;

	/* The chain the warnings look at (borrowed from the above or the
	 * report), with its facts: the report's when it is the report's
	 * path, else wf_own. */
	const nk_x509_chain *wchain;
	const struct nk_x509_facts *wf;
	struct nk_x509_facts *wf_own;
	size_t nw;
	long expires_first;         /* wf index of the first CA certificate
	                             * to expire before the leaf, or -1 */
	int *weak_key, *weak_sig;   /* per wf cert */
	int no_san;
	char wildcard[256];         /* the SAN the name matched, if only a
	                             * wildcard matched it */
	struct diag_warning *warn;
	size_t nwarn;
};

/* After a handshake: diagnoses r's chains into r->diag (allocated here),
 * verifying against ctx's store and fetching AIA URLs with --fetch-aia
 * before deadline. 0, or -1 when out of memory. */
int diag_run(struct report *r, nk_tls_ctx *ctx, nk_time deadline);
void diag_free(struct report *r);

/* The chain --pem should write with --fetch-aia: the verified path (with
 * what was fetched) in order without its root, as PEM in a malloc'd
 * buffer; NULL when no such chain verifies (write what was sent). */
char *diag_pem(const struct report *r, size_t *len);

/* The diagnosis lines of the text report (nothing when all is well). */
void diag_text(FILE *out, const struct report *r);
/* The "diagnosis" member's value: an object, or null without one. */
void diag_json(FILE *out, const struct report *r);

#endif
