/* post_json: POST a JSON document and print the reply, like
 * `curl -s --json DOC URL`.
 *
 *   cc post_json.c $(pkg-config --cflags --libs nk) -o post_json
 *   ./post_json https://example.org/api '{"name": "nk"}'
 *
 * The reply's status goes to standard error, its body to standard output.
 * Exits with libnk's error, numbered as curl's exit codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nk/nk.h>
#include <nk/fetch.h>

static nk_err
write_body(void *ctx, const char *data, size_t len, char *errmsg)
{
	(void)ctx;
	if (fwrite(data, 1, len, stdout) != len) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "writing the reply failed");
		return NK_ERR_WRITE_ERROR;
	}
	return NK_OK;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s URL JSON\n", argv[0]);
		return 2;
	}
	char errmsg[NK_ERR_MSG_LEN] = "";
	nk_fetch_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.tls.default_cafile = getenv("SSL_CERT_FILE");
	nk_fetch *f;
	nk_err e = nk_fetch_new(&cfg, &f, errmsg);
	if (e != NK_OK) {
		fprintf(stderr, "post_json: %s\n", errmsg);
		return (int)e;
	}

	/* The body is borrowed from argv: it only has to outlive the run.
	 * A redirect that keeps the method (307, 308) sends it again. */
	nk_fetch_body body;
	memset(&body, 0, sizeof body);
	body.data = argv[2];
	body.len = strlen(argv[2]);
	body.fd = -1;
	body.content_type = "application/json";

	nk_fetch_request rq;
	memset(&rq, 0, sizeof rq);
	rq.url = argv[1];
	rq.method = "POST";
	rq.body = &body;
	rq.accept = "application/json";
	rq.follow = 1;
	rq.max_time_ms = 30000;
	nk_fetch_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.body = write_body;

	nk_fetch_result res;
	e = nk_fetch_run(f, &rq, &cb, &res, errmsg);
	if (fflush(stdout) != 0 && e == NK_OK) {
		snprintf(errmsg, sizeof errmsg, "writing the reply failed");
		e = NK_ERR_WRITE_ERROR;
	}
	if (e != NK_OK)
		fprintf(stderr, "post_json: %s\n", errmsg);
	else
		fprintf(stderr, "post_json: %d, %llu bytes sent, %llu received\n",
		        nk_fetch_result_final(&res)->status,
		        (unsigned long long)res.size_upload,
		        (unsigned long long)res.size_download);
	nk_fetch_result_clear(&res);
	nk_fetch_free(f);
	return (int)e;
}
