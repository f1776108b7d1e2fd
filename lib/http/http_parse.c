/* http_parse: the incremental, zero-copy response head parser and the
 * header lookup helpers.
 *
 * Two phases. While the head is incomplete, each call scans only the new
 * bytes for the end of the head (an empty line), enforcing the line and
 * head limits byte by byte and checking the status line as soon as it is
 * whole, so a server that does not speak HTTP fails at once. When the empty
 * line arrives, the head is parsed once, start to end. Every check depends
 * only on the bytes before the point it looks at and happens in byte order,
 * so the result does not depend on how the bytes were split. */
#include <stdint.h>
#include <string.h>

#include "http/http_int.h"
#include "core/internal.h"

enum {
	P_PREFIX = 0,   /* matching "HTTP/1.x" */
	P_STATUS,       /* in the status line */
	P_HEADERS,      /* in the header lines */
	P_DONE,
};

static const char prefix[] = "HTTP/1.";
#define PREFIX_LEN 8    /* "HTTP/1." and the minor digit */
#define MIN_LIMIT 16    /* no limit can trip inside the prefix */

static size_t
lim_line(const struct nk_http_parser *p)
{
	size_t v = p->max_line ? p->max_line : NK_HTTP_MAX_LINE;
	return v < MIN_LIMIT ? MIN_LIMIT : v;
}

static size_t
lim_head(const struct nk_http_parser *p)
{
	size_t v = p->max_head ? p->max_head : NK_HTTP_MAX_HEAD;
	if (v > SIZE_MAX / 4)
		v = SIZE_MAX / 4;
	return v < MIN_LIMIT ? MIN_LIMIT : v;
}

/* status-line = HTTP-version SP status-code SP [ reason-phrase ]
 * (RFC 9112 §4); "HTTP/1.1 200" without the second SP is accepted, as
 * every client does. s[0..n) excludes the line end. */
static nk_err
parse_status(const char *s, size_t n, struct nk_http_response *res,
             char *errmsg)
{
	char shown[96];
	if (n < 12 || memcmp(s, prefix, 7) != 0 || s[7] < '0' || s[7] > '9' ||
	    s[8] != ' ' || s[9] < '1' || s[9] > '9' || s[10] < '0' ||
	    s[10] > '9' || s[11] < '0' || s[11] > '9' || (n > 12 && s[12] != ' '))
		goto bad;
	for (size_t i = 12; i < n; i++)
		if (s[i] == '\0' || s[i] == '\r')
			goto bad;
	if (res) {
		res->minor_version = s[7] - '0';
		res->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
		res->reason = s + (n > 12 ? 13 : 12);
		res->reason_len = n > 12 ? n - 13 : 0;
	}
	return NK_OK;
bad:
	nk_http_escape(shown, sizeof(shown), s, n);
	return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "malformed status line "
	               "\"%s\"", shown);
}

/* The head buf[0..head_len) is complete and its status line valid: fill
 * res, unfolding obs-fold in place. */
static nk_err
parse_head(char *buf, size_t head_len, struct nk_http_response *res,
           char *errmsg)
{
	char shown[96], e[5];
	size_t pos, lineno = 1;
	struct nk_http_header *last = NULL;

	res->num_headers = 0;
	res->folded = 0;
	/* the status line */
	char *lf = memchr(buf, '\n', head_len);
	size_t ce = (size_t)(lf - buf);
	if (ce > 0 && buf[ce - 1] == '\r')
		ce--;
	nk_err err = parse_status(buf, ce, res, errmsg);
	if (err)
		return err;
	pos = (size_t)(lf - buf) + 1;

	for (;;) {
		size_t ls = pos;
		lf = memchr(buf + ls, '\n', head_len - ls);
		size_t le = (size_t)(lf - buf);       /* the LF */
		ce = le;
		if (ce > ls && buf[ce - 1] == '\r')
			ce--;
		pos = le + 1;
		lineno++;
		if (ce == ls)
			break;                            /* the empty line */
		const char *l = buf + ls;
		size_t n = ce - ls;
		/* NUL and bare CR: RFC 9112 §2.2 lets a recipient reject them */
		for (size_t i = 0; i < n; i++) {
			if (l[i] == '\0' || l[i] == '\r') {
				nk_http_escape_byte(e, (unsigned char)l[i]);
				nk_http_escape(shown, sizeof(shown), l, n);
				return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY,
				               "%s in response header line %zu \"%s\"",
				               l[i] ? "bare CR" : "NUL", lineno, shown);
			}
		}
		if (nk_http_ows(l[0])) {
			/* obs-fold (RFC 9112 §5.2): replace the line end before
			 * it with SP so the value stays one run of bytes */
			if (!last) {
				nk_http_escape(shown, sizeof(shown), l, n);
				return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY,
				               "whitespace before the first response "
				               "header \"%s\"", shown);
			}
			for (size_t i = (size_t)(last->value - buf) + last->value_len;
			     i < ls; i++)
				buf[i] = ' ';
			const char *v = last->value, *vend = buf + ce;
			while (v < vend && nk_http_ows(*v))
				v++;
			while (vend > v && nk_http_ows(vend[-1]))
				vend--;
			last->value = v;
			last->value_len = (size_t)(vend - v);
			res->folded = 1;
			continue;
		}
		size_t i = nk_http_token_len(l, n);
		if (i == n || l[i] != ':' || i == 0) {
			const char *why;
			nk_http_escape(shown, sizeof(shown), l, n);
			if (i == n)
				why = "no colon in";
			else if (nk_http_ows(l[i]))
				why = "whitespace before the colon in";
			else if (i == 0 && l[i] == ':')
				why = "empty name in";
			else {
				nk_http_escape_byte(e, (unsigned char)l[i]);
				return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY,
				               "byte %s in the name of response header "
				               "line %zu \"%s\"", e, lineno, shown);
			}
			return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "%s response "
			               "header line %zu \"%s\"", why, lineno, shown);
		}
		if (res->num_headers >= res->max_headers || !res->headers)
			return nk_fail(errmsg, NK_ERR_RECV_ERROR, "more than %zu "
			               "response header fields", res->max_headers);
		const char *v = l + i + 1, *vend = l + n;
		while (v < vend && nk_http_ows(*v))
			v++;
		while (vend > v && nk_http_ows(vend[-1]))
			vend--;
		last = &res->headers[res->num_headers++];
		last->name = l;
		last->name_len = i;
		last->value = v;
		last->value_len = (size_t)(vend - v);
	}
	res->head_len = head_len;
	return NK_OK;
}

nk_err
nk_http_parse_response(struct nk_http_parser *p, char *buf, size_t len,
                       struct nk_http_response *res, char *errmsg)
{
	size_t max_line = lim_line(p), max_head = lim_head(p);
	size_t pos = p->_pos;

	if (max_line > max_head)
		max_line = max_head;    /* also keeps line + max_line + 2 in range */

	res->head_len = 0;
	res->num_headers = 0;
	if (p->_state == P_DONE)
		return parse_head(buf, pos, res, errmsg);

	if (p->_state == P_PREFIX) {
		/* Fail fast on a server that does not speak HTTP/1.x. */
		for (; pos < len && pos < PREFIX_LEN; pos++) {
			unsigned char c = (unsigned char)buf[pos];
			if (pos < 7 ? c != (unsigned char)prefix[pos]
			            : (c < '0' || c > '9')) {
				char shown[48];
				nk_http_escape(shown, sizeof(shown), buf, pos + 1);
				return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY,
				               "reply is not HTTP/1.x: it starts \"%s\"",
				               shown);
			}
		}
		p->_pos = pos;
		if (pos < PREFIX_LEN)
			return NK_OK;
		p->_state = P_STATUS;
	}

	/* Rule per byte i, in order: i >= max_head fails (the head would be
	 * longer); a byte at line offset max_line must be the CR of a CRLF, and
	 * one past it the LF. The memchr below checks the same, faster. */
	size_t lim = len < max_head ? len : max_head;
	for (;;) {
		size_t line = p->_line;
		size_t crpos = line + max_line;           /* only CR allowed here */
		size_t end = crpos + 2 < lim ? crpos + 2 : lim;
		const char *lf = end > pos ? memchr(buf + pos, '\n', end - pos) : NULL;
		size_t stop = lf ? (size_t)(lf - buf) : end;

		if (crpos >= pos && crpos < stop && buf[crpos] != '\r')
			goto too_long_line;
		if (!lf) {
			pos = end;
			p->_pos = pos;
			if (end == crpos + 2)
				goto too_long_line;
			if (end == len)
				return NK_OK;
			return nk_fail(errmsg, NK_ERR_RECV_ERROR, "response head longer "
			               "than %zu bytes", max_head);
		}
		pos = stop + 1;
		p->_pos = pos;
		p->_line = pos;
		size_t ce = stop;
		if (ce > line && buf[ce - 1] == '\r')
			ce--;
		if (p->_state == P_STATUS) {
			nk_err err = parse_status(buf + line, ce - line, NULL, errmsg);
			if (err)
				return err;
			p->_state = P_HEADERS;
		} else if (ce == line) {
			p->_state = P_DONE;
			return parse_head(buf, pos, res, errmsg);
		}
	}
too_long_line:
	return nk_fail(errmsg, NK_ERR_RECV_ERROR, "response header line longer "
	               "than %zu bytes", max_line);
}

nk_err
nk_http_parse_eof(const struct nk_http_parser *p, size_t len, char *errmsg)
{
	(void)p;
	if (len == 0)
		return nk_fail(errmsg, NK_ERR_GOT_NOTHING, "empty reply from server");
	return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "connection closed "
	               "after %zu bytes, in the response head", len);
}

int
nk_http_is_interim(const struct nk_http_response *res)
{
	return res->status >= 100 && res->status <= 199 && res->status != 101;
}

const struct nk_http_header *
nk_http_header_find(const struct nk_http_response *res, const char *name,
                    size_t *iter)
{
	size_t i = iter ? *iter : 0;
	for (; i < res->num_headers; i++) {
		const struct nk_http_header *h = &res->headers[i];
		if (nk_http_eq(h->name, h->name_len, name)) {
			if (iter)
				*iter = i + 1;
			return h;
		}
	}
	if (iter)
		*iter = res->num_headers;
	return NULL;
}

int
nk_http_has_token(const struct nk_http_response *res, const char *name,
                  const char *token)
{
	size_t it = 0;
	const struct nk_http_header *h;
	while ((h = nk_http_header_find(res, name, &it))) {
		const char *p = h->value, *el;
		size_t n;
		while (nk_http_list_next(&p, h->value + h->value_len, &el, &n))
			if (nk_http_eq(el, n, token))
				return 1;
	}
	return 0;
}

int
nk_http_content_type(const struct nk_http_response *res, const char **type,
                     size_t *type_len, const char **charset,
                     size_t *charset_len)
{
	const struct nk_http_header *h = nk_http_header_find(res, "Content-Type",
	                                                      NULL);
	if (charset)
		*charset = NULL;
	if (charset_len)
		*charset_len = 0;
	if (!h)
		return 0;
	const char *s = h->value, *end = s + h->value_len;
	const char *e = memchr(s, ';', h->value_len);
	const char *t = e ? e : end;
	while (t > s && nk_http_ows(t[-1]))
		t--;
	if (type)
		*type = s;
	if (type_len)
		*type_len = (size_t)(t - s);
	/* parameters: *( OWS ";" OWS [ name "=" value ] ) (RFC 9110 §5.6.6) */
	while (e && e < end) {
		const char *n = e + 1;
		while (n < end && nk_http_ows(*n))
			n++;
		const char *eq = n;
		while (eq < end && *eq != '=' && *eq != ';')
			eq++;
		const char *v = eq + 1, *vend;
		if (eq >= end || *eq != '=') {
			e = eq < end ? eq : NULL;
			continue;
		}
		if (v < end && *v == '"') {
			v++;
			vend = v;
			while (vend < end && *vend != '"') {
				if (*vend == '\\' && vend + 1 < end)
					vend++;
				vend++;
			}
			e = vend < end ? memchr(vend, ';', (size_t)(end - vend)) : NULL;
		} else {
			vend = v;
			while (vend < end && *vend != ';')
				vend++;
			e = vend < end ? vend : NULL;
			while (vend > v && nk_http_ows(vend[-1]))
				vend--;
		}
		if (nk_http_eq(n, (size_t)(eq - n), "charset")) {
			if (charset)
				*charset = v;
			if (charset_len)
				*charset_len = (size_t)(vend - v);
			break;
		}
	}
	return 1;
}
