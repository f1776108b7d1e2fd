/* fetch.c: the fetcher's life: its configuration checked, its buffers
 * made, and everything it holds (pool, queue, TLS context) freed.
 *
 * The data path is built for speed: one read buffer per fetcher, reads
 * as large as it, and body bytes handed to the caller straight from it
 * (the framing decoder returns spans inside the buffer), so a body costs
 * no allocation and no copy per chunk.
 *
 * And for memory: the buffer starts small and grows only when needed
 * (room.c). */
#include <stdlib.h>

#include "fetch/fetch_int.h"

nk_err
nk_fetch_new(const nk_fetch_config *cfg, nk_fetch **out, char *errmsg)
{
	*out = NULL;
	nk_fetch *f = calloc(1, sizeof *f);
	if (!f)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	if (cfg)
		f->cfg = *cfg;
	f->npool = POOL_SIZE;
	/* HTTP/2 is offered first, as curl does, unless the user wants 1.1. */
	if (!f->cfg.tls.alpn)
		f->cfg.tls.alpn = f->cfg.http_version == NK_FETCH_HTTP_1_1
		                  ? "http/1.1" : "h2,http/1.1";
	if (!f->cfg.proxy_tls.alpn)
		f->cfg.proxy_tls.alpn = "http/1.1";
	nk_err e = nk_netopts_check(&f->cfg.net, errmsg);
	if (!e)
		e = nk_proxy_parse(f->cfg.http_proxy, f->cfg.proxy_userpass,
		                   &f->http_proxy, errmsg);
	if (!e)
		e = nk_proxy_parse(f->cfg.https_proxy, f->cfg.proxy_userpass,
		                   &f->https_proxy, errmsg);
	if (e) {
		nk_fetch_free(f);
		return e;
	}
	struct nk_proxy *pxs[] = { &f->http_proxy, &f->https_proxy };
	for (size_t i = 0; i < NK_ARRAY_LEN(pxs); i++) {
		pxs[i]->tunnel = f->cfg.proxytunnel;
		pxs[i]->headers = f->cfg.proxy_headers;
		pxs[i]->nheaders = f->cfg.nproxy_headers;
	}
	size_t head = f->cfg.max_head ? f->cfg.max_head : NK_HTTP_MAX_HEAD;
	f->max = f->cfg.bufsize ? f->cfg.bufsize : DEFAULT_BUFSIZE;
	if (f->max < head + 16384)
		f->max = head + 16384;
	f->body_max = f->cfg.bufsize ? f->max : BODY_BUF_MAX;
	f->cap = FIRST_BUF < f->max ? FIRST_BUF : f->max;
	f->buf = malloc(f->cap);
	f->nhdrs = FIRST_HEADERS;
	f->hdrs = malloc(f->nhdrs * sizeof *f->hdrs);
	if (!f->buf || !f->hdrs) {
		nk_fetch_free(f);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	*out = f;
	return NK_OK;
}

nk_err
nk_fetch_new_shared(nk_fetch *base, nk_fetch **out, char *errmsg)
{
	nk_fetch *home = fetch_home(base), *f = NULL;
	nk_err e = nk_fetch_new(&home->cfg, &f, errmsg);
	*out = f;
	if (e || !f)
		return e;
	f->home = home;
	if (home->npool + POOL_SIZE <= POOL_MAX)
		home->npool += POOL_SIZE;
	return NK_OK;
}

void
nk_fetch_free(nk_fetch *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->npool; i++)
		pool_drop(&f->pool[i]);
	queue_clear(f);
	nk_tls_ctx_free(f->tls);
	nk_tls_ctx_free(f->ptls);
	nk_proxy_clear(&f->http_proxy);
	nk_proxy_clear(&f->https_proxy);
	free(f->buf);
	free(f->hdrs);
	free(f->tbuf);
	free(f->sbuf);
	free(f);
}
