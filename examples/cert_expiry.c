/* cert_expiry: connect to a TLS server, verify its certificate for the host
 * name, and say when the certificate expires: the check a monitoring job
 * makes every night.
 *
 *   cc cert_expiry.c $(pkg-config --cflags --libs nk) -o cert_expiry
 *   ./cert_expiry example.org 443
 *   ./cert_expiry 127.0.0.1 8443 my-ca.pem
 *
 * Exits 0 when the certificate verifies, else with libnk's error (60 when
 * it does not verify, 35 when no handshake completes, 6, 7, 28...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nk/nk.h>
#include <nk/net.h>
#include <nk/tls.h>
#include <nk/x509.h>

int
main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s HOST PORT [CAFILE]\n", argv[0]);
		return 2;
	}
	const char *host = argv[1];
	int port = atoi(argv[2]);
	char errmsg[NK_ERR_MSG_LEN] = "";
	nk_time deadline = nk_deadline_in_ms(10000);

	/* The trust store: a CA file if given, else the system's. */
	nk_tls_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.cafile = argc == 4 ? argv[3] : NULL;
	nk_tls_ctx *ctx;
	nk_err e = nk_tls_ctx_new(&cfg, &ctx, errmsg);
	if (e != NK_OK) {
		fprintf(stderr, "cert_expiry: %s\n", errmsg);
		return (int)e;
	}

	nk_netopts net;
	memset(&net, 0, sizeof net);
	nk_conn *c = NULL;
	nk_tls_info info;
	memset(&info, 0, sizeof info);
	e = nk_connect(&net, host, port, deadline, &c, NULL, errmsg);
	/* The same conn speaks TLS once the handshake is done. */
	if (e == NK_OK)
		e = nk_tls_start(ctx, c, host, deadline, &info, errmsg);

	/* The leaf (certificate 0) of the chain the server sent, when the
	 * handshake got that far; info owns it. */
	const nk_x509 *leaf = nk_x509_chain_get(info.sent, 0);
	if (leaf) {
		struct nk_x509_facts f;
		char ferr[NK_ERR_MSG_LEN] = "";
		if (nk_x509_facts_get(leaf, (int64_t)time(NULL), &f, ferr) == NK_OK) {
			printf("subject:  %s\n", f.subject);
			printf("issuer:   %s\n", f.issuer);
			printf("expires:  %s (in %lld days)\n", f.not_after_str,
			       (long long)f.days_left);
		}
		nk_x509_facts_clear(&f);
	}
	if (e == NK_OK)
		printf("verified: yes, %s %s\n", info.version, info.cipher);
	else
		fprintf(stderr, "cert_expiry: %s\n", errmsg);

	nk_tls_info_clear(&info);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	return (int)e;
}
