/* fetch: get a URL and write its body to standard output, following
 * redirects, like `curl -sL URL`.
 *
 *   cc fetch.c $(pkg-config --cflags --libs nk) -o fetch
 *   ./fetch https://example.org/
 *
 * Exits with libnk's error, numbered as curl's exit codes (6 for a name
 * that does not resolve, 22 for an HTTP error status, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nk/nk.h>
#include <nk/fetch.h>

/* Body bytes arrive as they are read, in order; write them straight out. */
static nk_err
write_body(void *ctx, const char *data, size_t len, char *errmsg)
{
	(void)ctx;
	if (fwrite(data, 1, len, stdout) != len) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "writing the body failed");
		return NK_ERR_WRITE_ERROR;
	}
	return NK_OK;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s URL\n", argv[0]);
		return 2;
	}
	char errmsg[NK_ERR_MSG_LEN] = "";

	/* The library reads no environment: a program passes in what it
	 * wants, here the system trust store chosen by SSL_CERT_FILE. */
	nk_fetch_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.tls.default_cafile = getenv("SSL_CERT_FILE");

	nk_fetch *f;
	nk_err e = nk_fetch_new(&cfg, &f, errmsg);
	if (e != NK_OK) {
		fprintf(stderr, "fetch: %s\n", errmsg);
		return (int)e;
	}

	nk_fetch_request rq;
	memset(&rq, 0, sizeof rq);
	rq.url = argv[1];
	rq.follow = 1;
	rq.fail = 1;
	rq.max_time_ms = 30000;
	nk_fetch_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.body = write_body;

	nk_fetch_result res;
	e = nk_fetch_run(f, &rq, &cb, &res, errmsg);
	if (fflush(stdout) != 0 && e == NK_OK) {
		snprintf(errmsg, sizeof errmsg, "writing the body failed");
		e = NK_ERR_WRITE_ERROR;
	}
	if (e != NK_OK)
		fprintf(stderr, "fetch: %s\n", errmsg);
	else
		fprintf(stderr, "fetch: %d, %llu bytes, %zu request(s)\n",
		        nk_fetch_result_final(&res)->status,
		        (unsigned long long)res.size_download, res.nhops);

	nk_fetch_result_clear(&res);
	nk_fetch_free(f);
	return (int)e;
}
