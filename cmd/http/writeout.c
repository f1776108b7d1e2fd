/* writeout: -w/--write-out, curl's syntax: text with %{variable},
 * %header{name}, %% and the escapes \n \r \t \\, from the argument or from
 * @FILE (@- for stdin); %{stdout} and %{stderr} switch the stream,
 * %{onerror} prints the rest only after a failure.
 *
 * Times are seconds with six decimals, with curl's meanings: a phase
 * (time_namelookup ... time_starttransfer) adds up, over the hops of a
 * redirect chain, the time each hop took to reach it from its own start
 * (a reused connection adds nothing for the name and the connect);
 * time_redirect is from the start to the final hop, time_total to the
 * end. %{json} adds "hops": every request with its own timings (whose
 * sums the top-level phases are) and every address tried. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nk/fetch.h"
#include "http.h"
#include "text.h"
#include "tool.h"

int
writeout_set(const char *arg, char **format)
{
	free(*format);
	*format = NULL;
	if (arg[0] != '@') {
		*format = strdup(arg);
		return *format ? 0 : NK_ERR_OUT_OF_MEMORY;
	}
	FILE *f = strcmp(arg, "@-") == 0 ? stdin : fopen(arg + 1, "r");
	if (!f) {
		return tool_failf(NK_ERR_READ_ERROR, "cannot read the --write-out "
		                  "format from %s: %s", arg + 1, strerror(errno));
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *nb = len < 1024 * 1024 ? realloc(buf, cap *= 2) : NULL;
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!buf) {
		return tool_failf(NK_ERR_READ_ERROR, "the --write-out format in %s "
		                  "is too large", arg + 1);
	}
	buf[len] = '\0';
	/* A format file usually ends with a newline the user did not mean to
	 * print: curl keeps it, and so does nk. */
	*format = buf;
	return 0;
}

double
wo_secs(nk_time t)
{
	return t > 0 ? (double)t / 1e6 : 0.0;
}

/* ---- JSON output helpers ------------------------------------------ */

static void
json_key(FILE *f, int *first, const char *k)
{
	fprintf(f, "%s\"%s\":", *first ? "" : ",", k);
	*first = 0;
}

/* ---- values ---------------------------------------------------------- */

static const nk_fetch_hop *
final_hop(const struct wo_info *w)
{
	return nk_fetch_result_final(w->res);
}

static nk_time
base_time(const struct wo_info *w)
{
	return w->res->nhops ? w->res->hops[0].start : w->res->start;
}

static double
rel(nk_time t, nk_time base)
{
	return t ? wo_secs(t - base) : 0;
}

/* A phase as curl counts it: what each hop took to reach it from its own
 * start, added up over the hops; a hop that never reached it adds 0. */
static double
phase(const struct wo_info *w, size_t off)
{
	double sum = 0;
	for (size_t i = 0; i < w->res->nhops; i++) {
		const nk_fetch_hop *h = &w->res->hops[i];
		nk_time t = *(const nk_time *)(const void *)((const char *)h + off);
		sum += rel(t, h->start);
	}
	return sum;
}

/* The start of the final hop, from the start of the transfer. */
static double
redirect_secs(const struct wo_info *w)
{
	const nk_fetch_hop *h = final_hop(w);
	return w->res->nhops > 1 ? rel(h->start, base_time(w)) : 0;
}

static double
total_secs(const struct wo_info *w)
{
	const nk_fetch_hop *h = final_hop(w);
	nk_time end = w->res->end ? w->res->end : (h ? h->end : 0);
	return end ? wo_secs(end - base_time(w)) : 0;
}

/* Bytes per second over the whole transfer, as curl reports speeds. */
static uint64_t
speed(const struct wo_info *w, uint64_t bytes)
{
	double t = total_secs(w);
	return t > 0 ? (uint64_t)((double)bytes / t) : 0;
}

static char *
content_type(const struct wo_info *w, char *buf, size_t len)
{
	const nk_fetch_hop *h = final_hop(w);
	if (!h || !nk_fetch_hop_header(h, "Content-Type", buf, len))
		return NULL;
	return buf;
}

enum vkind { V_STR, V_INT, V_TIME };

struct value {
	enum vkind kind;
	const char *s;      /* V_STR; NULL prints as "" (JSON null) */
	long long i;
	double t;
	char buf[512];
};

/* Variables by name, sorted as %{json} lists them. */
static const char *const var_names[] = {
	"content_type", "errormsg", "exitcode", "filename_effective",
	"http_code", "http_version", "local_ip", "local_port", "method",
	"num_connects", "num_headers", "num_redirects", "num_retries",
	"proxy_ssl_verify_result", "redirect_url", "referer", "remote_ip",
	"remote_port", "response_code", "scheme", "size_download",
	"size_header", "size_request", "size_upload", "speed_download",
	"speed_upload", "ssl_verify_result", "time_appconnect",
	"time_connect", "time_namelookup", "time_pretransfer",
	"time_redirect", "time_starttransfer", "time_total", "url",
	"url_effective", "urlnum",
};

static int
get_value(const struct wo_info *w, const char *name, struct value *v)
{
	const nk_fetch_hop *h = final_hop(w);
	memset(v, 0, sizeof *v);
	v->kind = V_INT;
#define IS(n) (strcmp(name, n) == 0)
	if (IS("content_type")) {
		v->kind = V_STR;
		v->s = content_type(w, v->buf, sizeof v->buf);
	} else if (IS("errormsg")) {
		v->kind = V_STR;
		v->s = w->exitcode ? w->errormsg : NULL;
	} else if (IS("exitcode")) {
		v->i = w->exitcode;
	} else if (IS("filename_effective")) {
		v->kind = V_STR;
		v->s = w->filename;
	} else if (IS("http_code") || IS("response_code")) {
		v->i = h ? h->status : 0;
	} else if (IS("http_version")) {
		v->kind = V_STR;
		v->s = !h || !h->status ? "0" : h->http2 ? "2"
		       : h->minor_version ? "1.1" : "1.0";
	} else if (IS("local_ip")) {
		v->kind = V_STR;
		v->s = h ? h->local_ip : "";
	} else if (IS("local_port")) {
		v->i = h ? h->local_port : 0;
	} else if (IS("method")) {
		v->kind = V_STR;
		v->s = h ? h->method : "";
	} else if (IS("num_connects")) {
		v->i = w->res->num_connects;
	} else if (IS("num_headers")) {
		v->i = h ? (long long)h->num_headers : 0;
	} else if (IS("num_redirects")) {
		v->i = w->res->nhops > 1 ? (long long)w->res->nhops - 1 : 0;
	} else if (IS("num_retries")) {
		v->i = w->res->retries;
	} else if (IS("redirect_url")) {
		v->kind = V_STR;
		v->s = h ? h->location : NULL;
	} else if (IS("referer")) {
		/* curl's meaning: the Referer the last request sent, which
		 * ";auto" made the URL of the hop before it. */
		v->kind = V_STR;
		v->s = w->auto_referer && w->res->nhops > 1
		       ? w->res->hops[w->res->nhops - 2].url : w->referer;
	} else if (IS("remote_ip")) {
		v->kind = V_STR;
		v->s = h ? h->remote_ip : "";
	} else if (IS("remote_port")) {
		v->i = h ? h->remote_port : 0;
	} else if (IS("scheme")) {
		v->kind = V_STR;
		v->s = !h || !h->url ? NULL :
		       strncmp(h->url, "https:", 6) == 0 ? "https" : "http";
	} else if (IS("size_download")) {
		v->i = (long long)w->res->size_download;
	} else if (IS("size_header")) {
		v->i = (long long)w->res->size_header;
	} else if (IS("size_request")) {
		v->i = (long long)w->res->size_request;
	} else if (IS("size_upload")) {
		v->i = (long long)w->res->size_upload;
	} else if (IS("speed_upload")) {
		v->i = (long long)speed(w, w->res->size_upload);
	} else if (IS("speed_download")) {
		v->i = (long long)speed(w, w->res->size_download);
	} else if (IS("proxy_ssl_verify_result")) {
		v->i = h ? h->proxy_tls_verify_code : 0;
	} else if (IS("ssl_verify_result")) {
		v->i = h && h->tls ? h->tls_verify_code : 0;
	} else if (IS("time_appconnect")) {
		v->kind = V_TIME;
		v->t = phase(w, offsetof(nk_fetch_hop, appconnect));
	} else if (IS("time_connect")) {
		v->kind = V_TIME;
		v->t = phase(w, offsetof(nk_fetch_hop, connect));
	} else if (IS("time_namelookup")) {
		v->kind = V_TIME;
		v->t = phase(w, offsetof(nk_fetch_hop, namelookup));
	} else if (IS("time_pretransfer")) {
		v->kind = V_TIME;
		v->t = phase(w, offsetof(nk_fetch_hop, pretransfer));
	} else if (IS("time_redirect")) {
		v->kind = V_TIME;
		v->t = redirect_secs(w);
	} else if (IS("time_starttransfer")) {
		v->kind = V_TIME;
		v->t = phase(w, offsetof(nk_fetch_hop, starttransfer));
	} else if (IS("time_total")) {
		v->kind = V_TIME;
		v->t = total_secs(w);
	} else if (IS("url")) {
		v->kind = V_STR;
		v->s = w->url;
	} else if (IS("url_effective")) {
		v->kind = V_STR;
		v->s = h && h->url ? h->url : w->url;
	} else if (IS("urlnum")) {
		v->i = w->urlnum;
	} else {
		return 0;
	}
#undef IS
	return 1;
}

/* Text from a server or the command line: escaped on a terminal as -i
 * and -v escape it, as it is into a file or pipe. */
static void
put_text(FILE *f, const char *s)
{
	if (show_isatty(fileno(f)))
		text_safe(f, s);
	else
		fputs(s, f);
}

static void
print_value(FILE *f, const struct value *v, int json)
{
	switch (v->kind) {
	case V_STR:
		if (json)
			text_json(f, v->s);
		else if (v->s)
			put_text(f, v->s);
		break;
	case V_INT:
		fprintf(f, "%lld", v->i);
		break;
	case V_TIME:
		fprintf(f, "%.6f", v->t);
		break;
	}
}

/* %{http_code} and %{response_code} print three digits, as curl. */
static void
print_var(FILE *f, const struct value *v, const char *name)
{
	if (strcmp(name, "http_code") == 0 || strcmp(name, "response_code") == 0)
		fprintf(f, "%03lld", v->i);
	else
		print_value(f, v, 0);
}

/* An attempt's result for people and scripts: the error's name, except
 * that code 42 here only means that another address won the race. */
static const char *
attempt_result(const nk_attempt *a)
{
	if (a->err == NK_ERR_ABORTED_BY_CALLBACK)
		return "CANCELLED";
	return a->err ? nk_err_name(a->err) : "OK";
}

static void
json_hop(FILE *f, const struct wo_info *w, const nk_fetch_hop *h)
{
	int first = 1;
	fputc('{', f);
	json_key(f, &first, "url");
	text_json(f, h->url);
	json_key(f, &first, "method");
	text_json(f, h->method);
	json_key(f, &first, "http_code");
	fprintf(f, "%d", h->status);
	json_key(f, &first, "exitcode");
	fprintf(f, "%d", (int)h->err);
	json_key(f, &first, "reused");
	fputs(h->reused ? "true" : "false", f);
	json_key(f, &first, "connection");
	fprintf(f, "%d", h->connection);
	json_key(f, &first, "proxied");
	fputs(h->proxied ? "true" : "false", f);
	json_key(f, &first, "remote_ip");
	text_json(f, h->remote_ip);
	json_key(f, &first, "remote_port");
	fprintf(f, "%d", h->remote_port);
	json_key(f, &first, "local_ip");
	text_json(f, h->local_ip);
	json_key(f, &first, "local_port");
	fprintf(f, "%d", h->local_port);
	json_key(f, &first, "time_start");
	fprintf(f, "%.6f", rel(h->start, base_time(w)));
	json_key(f, &first, "time_namelookup");
	fprintf(f, "%.6f", rel(h->namelookup, h->start));
	json_key(f, &first, "time_connect");
	fprintf(f, "%.6f", rel(h->connect, h->start));
	json_key(f, &first, "time_appconnect");
	fprintf(f, "%.6f", rel(h->appconnect, h->start));
	json_key(f, &first, "time_pretransfer");
	fprintf(f, "%.6f", rel(h->pretransfer, h->start));
	json_key(f, &first, "time_starttransfer");
	fprintf(f, "%.6f", rel(h->starttransfer, h->start));
	json_key(f, &first, "time_total");
	fprintf(f, "%.6f", rel(h->end, h->start));
	json_key(f, &first, "size_request");
	fprintf(f, "%llu", (unsigned long long)h->request_bytes);
	json_key(f, &first, "size_upload");
	fprintf(f, "%llu", (unsigned long long)h->upload_bytes);
	json_key(f, &first, "size_header");
	fprintf(f, "%llu", (unsigned long long)h->header_bytes);
	json_key(f, &first, "size_body");
	fprintf(f, "%llu", (unsigned long long)h->body_bytes);
	json_key(f, &first, "redirect_url");
	text_json(f, h->location);
	json_key(f, &first, "tls");
	if (h->tls) {
		int tf = 1;
		fputc('{', f);
		json_key(f, &tf, "version");
		text_json(f, h->tls_version);
		json_key(f, &tf, "cipher");
		text_json(f, h->tls_cipher);
		json_key(f, &tf, "verify_ok");
		fputs(h->tls_verify_ok ? "true" : "false", f);
		json_key(f, &tf, "verify_result");
		fprintf(f, "%ld", h->tls_verify_code);
		json_key(f, &tf, "resumed");
		fputs(h->tls_resumed ? "true" : "false", f);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	json_key(f, &first, "attempts");
	fputc('[', f);
	for (size_t i = 0; !h->reused && i < h->net.nattempts; i++) {
		const nk_attempt *a = &h->net.attempts[i];
		int af = 1;
		fputs(i ? ",{" : "{", f);
		json_key(f, &af, "address");
		text_json(f, a->addr);
		json_key(f, &af, "port");
		fprintf(f, "%d", a->port);
		json_key(f, &af, "family");
		fprintf(f, "%d", a->family);
		json_key(f, &af, "result");
		text_json(f, attempt_result(a));
		json_key(f, &af, "why");
		text_json(f, a->err ? a->why : NULL);
		json_key(f, &af, "time_start");
		fprintf(f, "%.6f", rel(a->start, h->start));
		json_key(f, &af, "time_end");
		fprintf(f, "%.6f", rel(a->end, h->start));
		fputc('}', f);
	}
	fputs("]}", f);
}

static void
json_headers(FILE *f, const nk_fetch_hop *h)
{
	fputc('{', f);
	for (size_t i = 0; h && i < h->num_headers; i++) {
		const struct nk_http_header *hi = &h->headers[i];
		/* Each name once, with all its values, lower case as curl. */
		size_t j;
		for (j = 0; j < i; j++)
			if (h->headers[j].name_len == hi->name_len &&
			    strncasecmp(h->headers[j].name, hi->name,
			                hi->name_len) == 0)
				break;
		if (j < i)
			continue;
		char name[256];
		size_t nl = hi->name_len < sizeof name - 1 ? hi->name_len
		                                            : sizeof name - 1;
		/* cppcheck takes nl for 0 (it is name_len, capped). */
		/* cppcheck-suppress knownConditionTrueFalse */
		for (size_t k = 0; k < nl; k++)
			name[k] = (char)(hi->name[k] >= 'A' && hi->name[k] <= 'Z'
			                 ? hi->name[k] + 32 : hi->name[k]);
		name[nl] = '\0';
		fputs(i ? "," : "", f);
		text_json(f, name);
		fputs(":[", f);
		int vf = 1;
		for (size_t k = i; k < h->num_headers; k++) {
			const struct nk_http_header *hk = &h->headers[k];
			if (hk->name_len != hi->name_len ||
			    strncasecmp(hk->name, hi->name, hi->name_len) != 0)
				continue;
			char *val = strndup(hk->value, hk->value_len);
			fputs(vf ? "" : ",", f);
			text_json(f, val ? val : "");
			free(val);
			vf = 0;
		}
		fputc(']', f);
	}
	fputc('}', f);
}

static void
json_all(FILE *f, const struct wo_info *w)
{
	int first = 1;
	struct value v;
	fputc('{', f);
	for (size_t i = 0; i < NK_ARRAY_LEN(var_names); i++) {
		get_value(w, var_names[i], &v);
		json_key(f, &first, var_names[i]);
		print_value(f, &v, 1);
	}
	json_key(f, &first, "nk_version");
	text_json(f, NK_VERSION);
	json_key(f, &first, "hops");
	fputc('[', f);
	for (size_t i = 0; i < w->res->nhops; i++) {
		if (i)
			fputc(',', f);
		json_hop(f, w, &w->res->hops[i]);
	}
	fputs("]}", f);
}

void
writeout_print(const struct wo_info *w)
{
	if (!w->format)
		return;
	FILE *f = out_stdout();
	struct value v;
	/* -Z: another transfer's -w to stderr does not cut into this one. */
	flockfile(stderr);
	for (const char *p = w->format; *p; p++) {
		if (*p == '\\' && p[1]) {
			switch (p[1]) {
			case 'n': fputc('\n', f); p++; continue;
			case 'r': fputc('\r', f); p++; continue;
			case 't': fputc('\t', f); p++; continue;
			case '\\': fputc('\\', f); p++; continue;
			}
			fputc(*p, f);
			continue;
		}
		if (*p != '%') {
			fputc(*p, f);
			continue;
		}
		if (p[1] == '%') {
			fputc('%', f);
			p++;
			continue;
		}
		if (strncmp(p + 1, "header{", 7) == 0) {
			const char *end = strchr(p + 8, '}');
			if (!end) {
				fputs(p, f);
				break;
			}
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)(end - p - 8), p + 8);
			char *val = malloc(NK_HTTP_MAX_HEAD);
			const nk_fetch_hop *h = final_hop(w);
			if (val && h && nk_fetch_hop_header(h, name, val,
			                                    NK_HTTP_MAX_HEAD))
				put_text(f, val);
			free(val);
			p = end;
			continue;
		}
		if (p[1] != '{') {
			fputc('%', f);
			continue;
		}
		const char *end = strchr(p + 2, '}');
		if (!end) {
			fputs(p, f);
			break;
		}
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(end - p - 2), p + 2);
		p = end;
		if (strcmp(name, "stdout") == 0) {
			f = out_stdout();
		} else if (strcmp(name, "stderr") == 0) {
			f = stderr;
		} else if (strcmp(name, "onerror") == 0) {
			if (!w->exitcode)
				break;
		} else if (strcmp(name, "json") == 0) {
			json_all(f, w);
		} else if (strcmp(name, "header_json") == 0) {
			json_headers(f, final_hop(w));
		} else if (get_value(w, name, &v)) {
			print_var(f, &v, name);
		} else {
			fflush(stdout);
			tool_msg("unknown --write-out variable: '%s'", name);
		}
	}
	fflush(stdout);
	fflush(stderr);
	funlockfile(stderr);
}
