/* nk-http's data options (-d, --data-*, --json, -G, --url-query): what
 * they say, turned into a request body, extra headers and URL queries
 * before any connection is made. Nothing here touches the network, so the
 * parsing is tested on its own. */
#ifndef NK_CMD_HTTP_DATA_H
#define NK_CMD_HTTP_DATA_H

#include <stddef.h>
#include "nk/buf.h"
#include "nk/fetch.h"
#include "nk/multipart.h"

/* How an option reads its argument; the names are curl's. */
enum data_kind {
	DATA_ASCII,     /* -d, --data-ascii: @file without CR and LF */
	DATA_BINARY,    /* --data-binary: @file byte for byte */
	DATA_RAW,       /* --data-raw: no @file */
	DATA_URLENCODE, /* --data-urlencode: [name]=text, [name]@file */
	DATA_JSON,      /* --json: @file byte for byte, joined without & */
};

/* Where a -F file part's bytes come from: a descriptor opened when the
 * option was read (a missing file stops nk before any connection), or
 * standard input, read whole then as curl reads it, in `mem`. */
struct data_file {
	int fd;                     /* -1 for none */
	nk_buf mem;
	size_t off;                 /* in mem */
};

struct data {
	nk_buf post;                /* the data options' bytes, joined */
	int given;                  /* a data option was given */
	int json;                   /* --json was given */
	int get;                    /* -G: the data goes into the query */
	nk_buf query;               /* --url-query's parts, joined */
	int query_given;
	nk_fetch_body body;         /* what `finish` hands to libnk */
	const char *headers[2];     /* --json's Content-Type and Accept */
	size_t nheaders;
	char **urls;                /* the URLs made with a query (owned) */
	size_t nurls;
	nk_multipart_part *parts;   /* -F, --form-string */
	struct data_file *files;    /* one per part */
	size_t nparts;
	nk_multipart *form;
	char *form_type;            /* the user's Content-Type, with the
	                             * boundary added (owned), or NULL */
};

/* The functions below return NK_OK, or an exit status with errmsg
 * (NK_ERR_MSG_LEN bytes) set: NK_ERR_READ_ERROR (26) for a file that
 * cannot be read, NK_ERR_OUT_OF_MEMORY. */

/* One data option's argument, read now (files and standard input too),
 * added to the body. */
nk_err data_add(struct data *d, enum data_kind kind, const char *arg,
                char *errmsg);

/* One --url-query argument: "+text" as it is, else --data-urlencode's
 * forms. */
nk_err data_url_query(struct data *d, const char *arg, char *errmsg);

/* One -F (literal 0) or --form-string (literal 1) argument: a part of a
 * multipart/form-data body; its file, if any, is opened now. */
nk_err data_form(struct data *d, const char *arg, int literal,
                 char *errmsg);

/* After all options: puts the query into each of urls[0..n) (replacing
 * the pointers with strings d owns), fills d->body and d->headers (the
 * --json headers the user's `hdrs` do not already give). *body is the
 * body to send, NULL for none (-G). With -F, a Content-Type in `hdrs`
 * is taken out of them (*nhdrs shrinks) and sent with the boundary. A
 * form with other data is curl's usage error (NK_ERR_FAILED_INIT). */
nk_err data_finish(struct data *d, const char **urls, size_t n,
                   const char **hdrs, size_t *nhdrs,
                   nk_fetch_body **body, char *errmsg);

/* The URL with `add` put at the end of its query, as curl 7.88 appends
 * -G's data and --url-query (before a #fragment; "&" after a query that
 * has something and does not end in "&"; the escapes in `add` in lower
 * case). Returns a malloc'd string, or NULL when out of memory. */
char *data_url_append(const char *url, const char *add, size_t addlen);

/* --data-urlencode's escaping: all but A-Z a-z 0-9 - . _ ~ as %XX, a
 * space as +. Appends to b; returns 0, or -1 when out of memory. */
int data_urlencode_bytes(nk_buf *b, const char *s, size_t len);

/* The whole of `path` ("-": standard input) appended to b: 0, or
 * NK_ERR_READ_ERROR (26) or NK_ERR_OUT_OF_MEMORY with errmsg set. */
nk_err data_read_source(const char *path, nk_buf *b, char *errmsg);

/* -d @file's reading of bytes: each line (as fgets with 256 bytes reads
 * it: to a LF, or 255 bytes) up to its first CR, LF or NUL. Appends to b;
 * returns 0, or -1 when out of memory. */
int data_strip_lines(nk_buf *b, const char *s, size_t len);

void data_free(struct data *d);

#endif
