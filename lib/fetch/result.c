/* result.c: the hop records of nk_fetch_result: adding one, filling it
 * from the connection and the response head, reading it back, clearing
 * it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch/fetch_int.h"

void
hop_clear(nk_fetch_hop *h)
{
	free(h->url);
	free(h->head);          /* and h->headers, in the same block */
	free(h->location);
	memset(h, 0, sizeof *h);
}

void
nk_fetch_result_clear(nk_fetch_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->nhops; i++)
		hop_clear(&res->hops[i]);
	free(res->hops);
	memset(res, 0, sizeof *res);
}

const nk_fetch_hop *
nk_fetch_result_final(const nk_fetch_result *res)
{
	return res && res->nhops ? &res->hops[res->nhops - 1] : NULL;
}

int
nk_fetch_hop_header(const nk_fetch_hop *hop, const char *name, char *buf,
                    size_t len)
{
	size_t used = 0;
	int found = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; hop && i < hop->num_headers; i++) {
		const struct nk_http_header *h = &hop->headers[i];
		if (strlen(name) != h->name_len ||
		    strncasecmp(h->name, name, h->name_len) != 0)
			continue;
		const char *sep = found ? ", " : "";
		int n = snprintf(buf + used, len > used ? len - used : 0, "%s%.*s",
		                 sep, (int)h->value_len, h->value);
		if (n > 0)
			used += (size_t)n;
		if (used >= len)
			used = len ? len - 1 : 0;
		found = 1;
	}
	return found;
}

nk_fetch_hop *
hop_add(nk_fetch_result *res, const nk_url *u, const char *method,
        char *errmsg)
{
	nk_fetch_hop *v = realloc(res->hops, (res->nhops + 1) * sizeof *v);
	if (!v)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory"), NULL;
	res->hops = v;
	nk_fetch_hop *h = &v[res->nhops];
	memset(h, 0, sizeof *h);
	h->url = url_no_fragment(u, 1);
	if (!h->url)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory"), NULL;
	nk_put_str(h->method, h->method + sizeof h->method, method);
	h->content_length = -1;
	h->start = nk_now();
	res->nhops++;
	return h;
}

void
fill_addrs(nk_fetch_hop *h, nk_conn *c)
{
	nk_put_str(h->remote_ip, h->remote_ip + sizeof h->remote_ip,
	           nk_conn_peer_str(c));
	h->remote_port = nk_conn_peer_port(c);
	nk_put_str(h->local_ip, h->local_ip + sizeof h->local_ip,
	           nk_conn_local_str(c));
	h->local_port = nk_conn_local_port(c);
}

/* Copies a head into the hop, with header views into the copy: one
 * block, the head first and the views after it (aligned), freed as
 * h->head. */
nk_err
keep_head(nk_fetch_hop *h, const char *buf, const struct nk_http_response *r,
          char *errmsg)
{
	free(h->head);
	h->head = NULL;
	h->headers = NULL;
	h->num_headers = 0;
	size_t align = _Alignof(struct nk_http_header);
	size_t off = (r->head_len + 1 + align - 1) / align * align;
	char *block = malloc(off + r->num_headers * sizeof *h->headers);
	if (!block)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	h->head = block;
	memcpy(h->head, buf, r->head_len);
	h->head[r->head_len] = '\0';
	h->head_len = r->head_len;
	if (r->num_headers) {
		h->headers = (struct nk_http_header *)(void *)(block + off);
		for (size_t i = 0; i < r->num_headers; i++) {
			h->headers[i] = r->headers[i];
			h->headers[i].name = h->head + (r->headers[i].name - buf);
			h->headers[i].value = h->head + (r->headers[i].value - buf);
		}
		h->num_headers = r->num_headers;
	}
	h->status = r->status;
	h->minor_version = r->minor_version;
	return NK_OK;
}

/* The TLS facts of the hop's connection, whole. */
void
hop_set_tls(nk_fetch_hop *h, const struct tls_facts *t)
{
	h->tls = t->tls;
	memcpy(h->tls_version, t->version, sizeof h->tls_version);
	memcpy(h->tls_cipher, t->cipher, sizeof h->tls_cipher);
	h->tls_verify_ok = t->verify_ok;
	h->tls_verify_code = t->verify_code;
	h->tls_resumed = t->resumed;
}
