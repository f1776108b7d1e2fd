/* One transfer of an nk-http run: its request made from the cfg, the
 * output opened, nk_fetch's callbacks (trace, heads, body, restarts,
 * progress), the output kept or dropped, the error reported, and -w. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "nk/fetch.h"
#include "nk/tls.h"
#include "tool.h"
#include "text.h"
#include "tlsreport.h"
#include "http.h"
#include "cfg.h"
#include "bar.h"

struct xfer {
	const struct cfg *c;
	struct sink out;
	FILE *dump;                 /* -D, or NULL */
	int dump_tty;
	struct progress prog;
	int64_t expect;             /* Content-Length of the final response */
	int status;                 /* final status seen */
	int err_colour;
	struct trace_ids ids;       /* --trace-ids */
	struct bar bar;             /* -# */
	FILE *etag;                 /* --etag-save, or NULL */
	/* -J -O: the file opens at the body's first byte, once the final
	 * head has said its name. */
	int lazy;
	char **path;                /* run_one's: the file's path */
	char *cd_name;              /* the final head's name, or NULL */
	int cd_err;                 /* the final head's name was refused */
	char cd_msg[NK_ERR_MSG_LEN];
	int open_err;               /* the lazy open failed (or the URL had
	                             * no name to fall back on) */
	char open_msg[NK_ERR_MSG_LEN];
};

static int open_lazy(struct xfer *x, char *errmsg);

static void
on_trace(void *ctx, nk_fetch_trace what, const char *data, size_t len,
         const void *obj)
{
	struct xfer *x = ctx;
	if (what == NK_FETCH_HEAD_OUT)
		bar_begin(&x->bar);
	if (what == NK_FETCH_WARNING) {
		if (!x->c->silent || x->c->verbose) {
			progress_end(&x->prog);
			tool_msg("%.*s", (int)len, data);
		}
		return;
	}
	if (x->c->tr.type) {
		trace_event(&x->c->tr, &x->ids, what, data, len, obj);
		return;
	}
	if (!x->c->verbose)
		return;
	/* -Z: one event's lines together, whatever the other threads say. */
	flockfile(stderr);
	if (x->prog.shown) {
		fputs("\r\033[K", stderr);
		x->prog.shown = 0;
	}
	/* --trace-time and --trace-ids begin -v's lines too. */
	char pre[80];
	size_t pl;
	if (what == NK_FETCH_INFO)
		trace_ids_see(&x->ids, data, len);
	trace_prefix(&x->c->tr, &x->ids, pre, sizeof pre - 4);
	pl = strlen(pre);
	switch (what) {
	case NK_FETCH_INFO:
		fprintf(stderr, "%s* ", pre);
		text_term(stderr, data, len);
		fputc('\n', stderr);
		break;
	case NK_FETCH_HEAD_OUT:
	case NK_FETCH_HEAD_IN:
		snprintf(pre + pl, sizeof pre - pl, "%s ",
		         what == NK_FETCH_HEAD_OUT ? ">" : "<");
		show_head(stderr, pre, data, len, 1, x->err_colour);
		break;
	case NK_FETCH_WARNING:
		break;
	case NK_FETCH_TLS:
	case NK_FETCH_PROXY_TLS: {
		/* The proxy's handshake as curl heads it, the facts indented */
		int px = what == NK_FETCH_PROXY_TLS;
		char host[256];
		snprintf(host, sizeof host, "%.*s", (int)len, data);
		if (px)
			fprintf(stderr, "%s* Proxy certificate:\n", pre);
		snprintf(pre + pl, sizeof pre - pl, px ? "*  " : "* ");
		tlsreport_summary(stderr, obj, host, pre);
		if ((px ? x->c->proxy_tls.insecure : x->c->na.tls.insecure) &&
		    !((const nk_tls_info *)obj)->verify_ok)
			fprintf(stderr, "* --%sinsecure: going on anyway\n",
			        px ? "proxy-" : "");
		break;
	}
	}
	funlockfile(stderr);
}

/* Header lines, a head's or the trailers', to -D and (-i) the output. */
static nk_err
show_lines(struct xfer *x, const char *head, size_t len, char *errmsg)
{
	if (x->dump) {
		nk_err e = x->dump == stdout ? sink_flush(errmsg) : 0;
		if (e)
			return e;
		/* -Z's transfers share -D's file: each head whole. */
		flockfile(x->dump);
		show_head(x->dump, NULL, head, len, x->dump_tty,
		          x->dump_tty && show_colour(x->dump));
		/* A head that cannot be saved fails its transfer, as curl
		 * does, before a body is kept under its final name. */
		int bad = fflush(x->dump) != 0 || ferror(x->dump);
		funlockfile(x->dump);
		if (bad) {
			snprintf(errmsg, NK_ERR_MSG_LEN, "writing to %s: %s",
			         x->dump == stdout ? "stdout" : x->c->dump_header,
			         strerror(errno));
			return NK_ERR_WRITE_ERROR;
		}
	}
	if (x->c->include || x->c->head) {
		if (x->out.fd < 0) {
			/* -J's file is not open yet (-i is refused with -J, but a
			 * --out-null or failed open has no fd either) */
		} else if (x->out.tty) {
			show_head(out_stdout(), NULL, head, len, 1,
			          show_colour(stdout));
			fflush(stdout);
		} else {
			return sink_write(&x->out, head, len, 0, errmsg);
		}
	}
	return NK_OK;
}

/* -J: the name the final head gives the file, or its refusal; the first
 * Content-Disposition counts, as in curl. */
static void
head_name(struct xfer *x, const nk_fetch_hop *hop)
{
	free(x->cd_name);
	x->cd_name = NULL;
	x->cd_err = 0;
	for (size_t k = 0; k < hop->num_headers; k++) {
		const struct nk_http_header *h = &hop->headers[k];
		if (h->name_len == 19 &&
		    strncasecmp(h->name, "Content-Disposition", 19) == 0) {
			x->cd_err = cd_filename(h->value, h->value_len, &x->cd_name,
			                        x->cd_msg);
			return;
		}
	}
}

static nk_err
on_head(void *ctx, const nk_fetch_hop *hop, const char *head, size_t len,
        int interim, char *errmsg)
{
	struct xfer *x = ctx;
	if (!interim) {
		x->expect = hop->content_length;
		x->status = hop->status;
		x->bar.down_total = hop->content_length;
	}
	if (x->etag) {
		nk_err e = x->etag == stdout ? sink_flush(errmsg) : 0;
		if (e)
			return e;
		cond_etag_write(x->etag, head, len);
	}
	if (!interim && x->lazy)
		head_name(x, hop);
	return show_lines(x, head, len, errmsg);
}

/* Trailers go where the head went, after the body, as in curl. */
static nk_err
on_trailers(void *ctx, const char *lines, size_t len, char *errmsg)
{
	return show_lines(ctx, lines, len, errmsg);
}

static nk_err
on_body(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct xfer *x = ctx;
	nk_err e = open_lazy(x, errmsg);
	if (e)
		return e;
	if (data)
		e = sink_write(&x->out, data, len, 1, errmsg);
	else
		sink_moved(&x->out, len);
	if (!e) {
		progress_update(&x->prog, x->out.written, x->expect);
		x->bar.down = x->out.written;
		bar_update(&x->bar);
		cap_progress(x->out.written, x->expect, 0, INT64_MIN);
	}
	return e;
}

static int
on_body_fd(void *ctx, const char **name)
{
	struct xfer *x = ctx;
	char msg[NK_ERR_MSG_LEN];
	/* A failure shows at the body's first byte (on_body). */
	if (open_lazy(x, msg))
		return -1;
	return sink_splice_fd(&x->out, name);
}

static nk_err
on_flush(void *ctx, char *errmsg)
{
	(void)ctx;
	return sink_flush(errmsg);
}

static nk_err
on_restart(void *ctx, int64_t *resume_from, char *errmsg)
{
	struct xfer *x = ctx;
	progress_end(&x->prog);
	if (x->out.append && x->out.fd != STDOUT_FILENO) {
		/* A resumed file keeps what it got: ask for the rest. */
		*resume_from = x->out.start_size + (int64_t)x->out.written;
		x->out.start_size = *resume_from;
		x->out.written = 0;
		return NK_OK;
	}
	return sink_rewind(&x->out, errmsg);
}

static void
on_wire(void *ctx, int out, const char *data, size_t len)
{
	struct xfer *x = ctx;
	trace_wire(&x->c->tr, &x->ids, out, data, len);
}

static void
on_sent(void *ctx, uint64_t bytes, int64_t total)
{
	struct xfer *x = ctx;
	progress_upload(&x->prog, bytes, total);
	x->bar.up = bytes;
	x->bar.up_total = total;
	bar_update(&x->bar);
	cap_progress(0, INT64_MIN, bytes, total);
}

void
report(const struct cfg *c, int code, const char *msg)
{
	if (c->silent && !c->show_error)
		return;
	tool_fail((nk_err)code, msg);
}

void
fill_request(const struct cfg *c, size_t i, int64_t start_size,
             nk_fetch_request *rq)
{
	*rq = (nk_fetch_request){
		.url = c->urls.v[i],
		.default_scheme = c->default_scheme,
		.method = c->method ? c->method : i < c->uploads.n ? "PUT"
		          : c->body ? "POST" : c->head ? "HEAD" : NULL,
		.body = c->body,
		.accept = c->accept,
		.post301 = c->post301,
		.post302 = c->post302,
		.post303 = c->post303,
		.expect100_timeout_ms = c->expect100_ms,
		.http10 = c->http10,
		.headers = c->headers.v,
		.nheaders = c->headers.n,
		.user_agent = c->user_agent,
		.userpass = c->user,
		.auth = c->auth,
		.bearer = c->bearer,
		.netrc_file = c->netrc.file,
		.netrc_optional = c->netrc.optional,
		.referer = c->referer,
		.auto_referer = c->auto_referer,
		.cookies = c->ck.jar,
		.cookie = c->ck.string,
		.follow = c->location,
		.max_redirs = !c->max_redirs_set ? 0 : c->max_redirs == 0
		              ? NK_FETCH_REDIRS_NONE : c->max_redirs,
		.compressed = c->compressed,
		.resume_from = c->resume == 1 ? start_size
		               : c->resume == 2 ? c->resume_offset : -1,
		.max_filesize = c->max_filesize,
		.limit_rate = c->limit_rate,
		.fail = c->fail && !c->fail_with_body,
		.max_time_ms = c->max_time_ms,
		.retry = (int)c->retry,
		.retry_delay_ms = c->retry_delay_ms,
		.retry_max_time_ms = c->retry_max_time_ms,
		.retry_connrefused = c->retry_connrefused,
		.retry_all_errors = c->retry_all,
		.range = c->cond.range,
		.time_cond = c->cond.time_cond,
		.time_value = c->cond.time_value,
	};
	const struct host_sec *s = section_for(c, i);
	if (s) {
		rq->headers = s->headers.v;
		rq->nheaders = s->headers.n;
		if (s->cfg->user_agent)
			rq->user_agent = s->cfg->user_agent;
		if (s->cfg->user)
			rq->userpass = s->cfg->user;
		if (s->cfg->auth)
			rq->auth = s->cfg->auth;
		if (s->cfg->bearer)
			rq->bearer = s->cfg->bearer;
		if (s->cfg->referer)
			rq->referer = s->cfg->referer;
	}
}

/* Joins --output-dir and a relative name. Caller frees. */
static char *
out_path(const struct cfg *c, const char *name)
{
	if (!c->output_dir || name[0] == '/' || strcmp(name, "-") == 0)
		return strdup(name);
	size_t n = strlen(c->output_dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", c->output_dir,
		         c->output_dir[strlen(c->output_dir) - 1] == '/' ? "" : "/",
		         name);
	return p;
}

/* URL i's output file (-o, -O, with --output-dir) in *path, NULL for
 * stdout. Returns 0 or the error, with errmsg set when there is one. */
static int
output_path(const struct cfg *c, size_t i, char **path, char *errmsg)
{
	const char *o = i < c->outputs.n && c->outputs.v[i] ? c->outputs.v[i]
	                : c->remote_all ? OUT_REMOTE : NULL;
	int e = 0;
	if (o == OUT_REMOTE) {
		char *name = remote_name(c->urls.v[i], c->default_scheme, &e,
		                         errmsg);
		if (!name)
			return e;
		*path = out_path(c, name);
		free(name);
	} else if (o) {
		*path = out_path(c, o);
	}
	return o && !*path ? NK_ERR_OUT_OF_MEMORY : 0;
}

static int
sink_flags(const struct cfg *c)
{
	return (c->resume ? SINK_APPEND : 0) |
	       (c->no_clobber ? SINK_NO_CLOBBER : 0) |
	       (c->remove_on_error ? SINK_REMOVE_ON_ERROR : 0);
}

/* Opens the output at path (NULL: stdout), its directories made first
 * with --create-dirs. */
static int
open_out(const struct cfg *c, struct xfer *x, const char *path, int flags,
         char *errmsg)
{
	int e;
	if (c->create_dirs && path && strcmp(path, "-") != 0 &&
	    (e = make_dirs(path, errmsg)) != 0)
		return e;
	return sink_open(&x->out, path, flags, errmsg);
}

/* -J: opens the file under the final head's name (never over an
 * existing file), or the URL's (as -O) when it gave none. Once; a
 * failure stays. */
static int
open_lazy(struct xfer *x, char *errmsg)
{
	const struct cfg *c = x->c;
	if (x->open_err) {
		memcpy(errmsg, x->open_msg, NK_ERR_MSG_LEN);
		return x->open_err;
	}
	if (!x->lazy)
		return 0;
	x->lazy = 0;
	int e = x->cd_err, flags = sink_flags(c);
	if (e) {
		memcpy(x->open_msg, x->cd_msg, NK_ERR_MSG_LEN);
	} else if (x->cd_name) {
		free(*x->path);
		if (!(*x->path = out_path(c, x->cd_name))) {
			e = NK_ERR_OUT_OF_MEMORY;
			snprintf(x->open_msg, NK_ERR_MSG_LEN, "out of memory");
		}
		flags |= SINK_NO_REPLACE;
	} else if (!*x->path) {
		/* The URL's name was refused: prepare kept why. */
		e = NK_ERR_WRITE_ERROR;
	}
	if (!e)
		e = open_out(c, x, *x->path, flags, x->open_msg);
	if (e) {
		x->open_err = e;
		memcpy(errmsg, x->open_msg, NK_ERR_MSG_LEN);
	}
	return e;
}

/* What fails before any connection: a file to send that is not there,
 * a body that cannot start over, an output that cannot be opened (but
 * -J's, which waits for the head). */
static int
prepare(const struct cfg *c, size_t i, struct xfer *x, struct upload *up,
        char **path, char *errmsg)
{
	int e;
	if (i < c->uploads.n &&
	    (e = upload_open(up, c->uploads.v[i], c->urls.v[i], errmsg)) != 0)
		return e;
	/* Every URL gets the whole body: a form the last transfer read
	 * starts over. */
	if (i > 0 && c->body && c->body->rewind &&
	    (e = c->body->rewind(c->body->ctx, errmsg)) != 0)
		return e;
	const char *o = i < c->outputs.n && c->outputs.v[i] ? c->outputs.v[i]
	                : c->remote_all ? OUT_REMOTE : NULL;
	if (o == OUT_NULL)
		return sink_open(&x->out, "/dev/null", 0, errmsg);
	if (o == OUT_REMOTE && c->remote_header_name) {
		x->lazy = 1;
		x->path = path;
		/* A URL without a name is an error only if the head gives
		 * none either. */
		if (output_path(c, i, path, x->open_msg) == NK_ERR_OUT_OF_MEMORY)
			return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		return 0;
	}
	if ((e = output_path(c, i, path, errmsg)) != 0)
		return e;
	return open_out(c, x, *path, sink_flags(c), errmsg);
}

/* After the exchange that ended with e: --fail-with-body's verdict, the
 * output kept or dropped (a 304 that wrote nothing leaves the file as it
 * was), the error reported, stdout flushed for -w. Returns the
 * transfer's exit code. */
static int
settle(const struct cfg *c, struct xfer *x, int e, int not_modified,
       char *errmsg)
{
	if (!e && c->fail_with_body && x->status >= 400) {
		e = NK_ERR_HTTP_RETURNED_ERROR;
		snprintf(errmsg, NK_ERR_MSG_LEN, "The requested URL returned "
		         "error: %d", x->status);
	}
	if (!e && not_modified && x->out.written == 0) {
		sink_untouched(&x->out);
	} else if (!e || (e == NK_ERR_HTTP_RETURNED_ERROR &&
	                  c->fail_with_body && !c->remove_on_error)) {
		char cmsg[NK_ERR_MSG_LEN];
		/* -J and an empty body: the file is made now. */
		int ce = open_lazy(x, cmsg);
		if (!ce)
			ce = sink_commit(&x->out, cmsg);
		if (ce && !e) {
			e = ce;
			memcpy(errmsg, cmsg, NK_ERR_MSG_LEN);
		}
	} else {
		sink_abort(&x->out);
	}
	if (e)
		report(c, e, errmsg);
	/* -w writes with stdio, after the body. */
	if (c->write_out) {
		char fmsg[NK_ERR_MSG_LEN];
		int fe = sink_flush(fmsg);
		if (fe && !e) {
			e = fe;
			memcpy(errmsg, fmsg, NK_ERR_MSG_LEN);
			report(c, e, errmsg);
		}
	}
	return e;
}

static void
write_out(const struct cfg *c, size_t i, const nk_fetch_result *res,
          const char *filename, int e, const char *errmsg)
{
	struct wo_info w = { c->wo_format, res, c->urls.v[i], (int)c->urlnum[i], filename,
	                     e, errmsg, c->referer, c->auto_referer };
	writeout_print(&w);
}

/* --etag-compare's header after the others, in *hdrs (made here, the
 * caller frees it and *line), and --etag-save's file opened. Prints
 * what fails and returns its exit code. */
static int
etag_start(const struct cfg *c, struct xfer *x, nk_fetch_request *rq,
           const char ***hdrs, char **line)
{
	int e = cond_etag_line(&c->cond, line, c->silent);
	if (!e && *line) {
		*hdrs = malloc((rq->nheaders + 1) * sizeof **hdrs);
		if (!*hdrs)
			return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		for (size_t k = 0; k < rq->nheaders; k++)
			(*hdrs)[k] = rq->headers[k];
		(*hdrs)[rq->nheaders] = *line;
		rq->headers = *hdrs;
		rq->nheaders++;
	}
	return e ? e : cond_etag_open(&c->cond, &x->etag, c->silent);
}

int
run_one(nk_fetch *f, const struct cfg *c, size_t i, FILE *dump)
{
	char errmsg[NK_ERR_MSG_LEN] = "";
	char *path = NULL;
	struct xfer x;
	memset(&x, 0, sizeof x);
	x.out.fd = -1;
	x.c = c;
	/* -D - under -Z: into the transfer's capture, in its turn. */
	x.dump = dump == stdout ? out_stdout() : dump;
	x.dump_tty = dump && show_isatty(fileno(dump));
	/* -Z draws one meter for all (par.c). */
	int par = cap_cur != NULL;
	x.err_colour = show_colour(stderr);
	x.expect = -1;
	x.ids.xfer = (long)i;
	x.ids.conn = -1;
	struct upload up;
	memset(&up, 0, sizeof up);
	up.fd = -1;
	int e = prepare(c, i, &x, &up, &path, errmsg);
	if (e) {
		upload_close(&up);
		report(c, e, errmsg);
		nk_fetch_result none;
		memset(&none, 0, sizeof none);
		write_out(c, i, &none, path, e, errmsg);
		free(path);
		return e;
	}

	nk_fetch_request rq;
	fill_request(c, i, x.out.start_size, &rq);
	if (i < c->uploads.n) {
		rq.body = &up.body;
		if (up.url)
			rq.url = up.url;
	}
	const char **hdrs = NULL;
	char *etag_line = NULL;
	e = etag_start(c, &x, &rq, &hdrs, &etag_line);
	if (e) {
		free(hdrs);
		free(etag_line);
		sink_abort(&x.out);
		upload_close(&up);
		free(path);
		return e;
	}
	nk_fetch_callbacks cb = { &x, on_trace, on_head, on_body, on_restart,
	                          on_body_fd, on_flush, on_trailers, on_sent,
	                          c->tr.type ? on_wire : NULL, 0 };
	/* Without -v or --trace only warnings show (and -#'s start): the
	 * fetcher then need not even format its step lines. */
	if (!c->verbose && !c->tr.type)
		cb.trace_skip = 1u << NK_FETCH_INFO | 1u << NK_FETCH_HEAD_IN |
		                1u << NK_FETCH_TLS |
		                (c->progress_bar ? 0 : 1u << NK_FETCH_HEAD_OUT);
	/* The meter shares the terminal with nothing: not when the body goes
	 * to it, nor with -s. */
	progress_start(&x.prog, !par && !c->silent && !c->no_progress &&
	               !c->progress_bar && !x.out.tty &&
	               show_isatty(STDERR_FILENO));
	/* -# shows wherever stderr goes, as curl's does. */
	bar_start(&x.bar, !par && c->progress_bar && !c->silent &&
	          !c->no_progress,
	          rq.resume_from);
	nk_fetch_result res;
	e = nk_fetch_run(f, &rq, &cb, &res, errmsg);
	progress_end(&x.prog);
	const nk_fetch_hop *fin = nk_fetch_result_final(&res);
	int not_modified = fin && fin->status == 304;
	e = settle(c, &x, e, not_modified, errmsg);
	bar_end(&x.bar);
	cond_etag_close(x.etag);
	free(hdrs);
	free(etag_line);
	if (!e && !not_modified)
		cond_remote_time(&c->cond, x.out.taken ? x.out.taken : path, &res,
		                 c->silent);
	write_out(c, i, &res, x.out.taken ? x.out.taken : path, e, errmsg);
	nk_fetch_result_clear(&res);
	free(x.cd_name);
	free(x.out.taken);
	free(path);
	upload_close(&up);
	return e;
}
