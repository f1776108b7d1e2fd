/* Fuzz target: the request serializer's validation
 * (nk_http_request_build), against the rules its header states.
 *
 * Input: 8 bytes of options, then fields separated by NUL bytes (the API
 * takes C strings, so a NUL cannot be inside one): method, target, host,
 * User-Agent, user:password, Range, Accept-Encoding, Referer, and the
 * rest are user header lines.
 *   [0] which of the first eight fields are given (bit i: field i; a field
 *       not given is NULL)
 *   [1] bit 0 HTTP/1.0; bit 1 has_body; bit 2 resume_from > 0
 *   [2..3] unused
 *   [4..7] body_len / resume_from, as a signed 32-bit number
 *
 * An independent reading of the rules says which error classes the
 * request has; the call must fail with one of those codes, or succeed
 * when there are none. On success the head is parsed back: CR and LF only
 * as CRLF line ends, no NUL, the request line exactly method SP target SP
 * HTTP/1.x, every header line a token, a colon and a clean value, Host
 * first when there is one, every user header sent in its order, and the
 * empty line at the end. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "nk/http.h"
#include "fuzz.h"

#define MAX_USER 32

enum { F_METHOD, F_TARGET, F_HOST, F_UA, F_USERPASS, F_RANGE, F_AE,
       F_REFERER, F_NFIELDS };

static int
tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int
token(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!tchar((unsigned char)s[i]))
			return 0;
	return 1;
}

/* RFC 9110 §5.5 field-value bytes: HTAB, SP, VCHAR, obs-text. */
static int
clean_value(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* What the serializer does to a target and a Host: no byte <= SP, no
 * DEL, not empty. */
static int
clean_target(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

static int
ieq(const char *a, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(a, lit, n) == 0;
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A user header split the curl way, as the header comment describes. */
struct uh {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	int ok, remove;
};

static void
split(const char *line, struct uh *h)
{
	size_t len = strlen(line);
	const char *colon = memchr(line, ':', len);
	const char *semi = colon ? NULL : memchr(line, ';', len);
	const char *sep = colon ? colon : semi;

	memset(h, 0, sizeof *h);
	if (!sep)
		return;
	h->name = line;
	h->name_len = (size_t)(sep - line);
	if (!token(h->name, h->name_len))
		return;
	const char *v = sep + 1, *end = line + len;
	if (colon && !clean_value(v, (size_t)(end - v)))
		return;
	while (v < end && is_ows(*v))
		v++;
	while (end > v && is_ows(end[-1]))
		end--;
	if (semi && v != end)
		return;
	h->value = v;
	h->value_len = semi ? 0 : (size_t)(end - v);
	h->remove = colon && h->value_len == 0;
	h->ok = 1;
}

/* The next line of the head at *p: [line, line + n), CRLF checked. */
static const char *
next_line(const char **p, const char *end, size_t *n)
{
	const char *s = *p;
	const char *cr = memchr(s, '\r', (size_t)(end - s));
	FUZZ_CHECK(cr && cr + 1 < end && cr[1] == '\n', "a line of the head "
	           "does not end in CRLF");
	FUZZ_CHECK(!memchr(s, '\n', (size_t)(cr - s)), "bare LF in the head");
	*n = (size_t)(cr - s);
	*p = cr + 2;
	return s;
}

/* User headers the in-order check passes over: removals send nothing,
 * and Host goes first whatever its place. */
static int
skip_user(const struct uh *h)
{
	return h->remove || ieq(h->name, h->name_len, "Host");
}

static void
check_head(const struct nk_http_request *rq, const struct uh *u, size_t nu,
           int host_sent, const char *out, size_t outlen)
{
	const char *p = out, *end = out + outlen, *l;
	size_t n;
	const char *method = rq->method ? rq->method : "GET";

	FUZZ_CHECK(strlen(out) == outlen, "NUL inside the head or wrong length");
	FUZZ_CHECK(outlen <= NK_HTTP_MAX_REQUEST, "head over the maximum");
	FUZZ_CHECK(outlen >= 4 && memcmp(end - 4, "\r\n\r\n", 4) == 0,
	           "head does not end with an empty line");

	/* METHOD SP target SP HTTP/1.x */
	l = next_line(&p, end, &n);
	size_t ml = strlen(method), tl = strlen(rq->target);
	const char *ver = rq->http10 ? "HTTP/1.0" : "HTTP/1.1";
	FUZZ_CHECK(n == ml + 1 + tl + 1 + 8 && memcmp(l, method, ml) == 0 &&
	           l[ml] == ' ' && memcmp(l + ml + 1, rq->target, tl) == 0 &&
	           l[ml + 1 + tl] == ' ' && memcmp(l + ml + tl + 2, ver, 8) == 0,
	           "request line \"%.*s\"", (int)n, l);

	size_t next_user = 0, lines = 0;
	int content_length = 0, hosts = 0;
	for (;;) {
		l = next_line(&p, end, &n);
		if (n == 0)
			break;
		lines++;
		const char *colon = memchr(l, ':', n);
		FUZZ_CHECK(colon && token(l, (size_t)(colon - l)),
		           "header line without a token name: \"%.*s\"", (int)n, l);
		size_t nl = (size_t)(colon - l);
		const char *v = colon + 1;
		size_t vl = n - nl - 1;
		if (vl > 0) {
			FUZZ_CHECK(v[0] == ' ', "no SP after the colon");
			v++;
			vl--;
		}
		FUZZ_CHECK(clean_value(v, vl), "control byte in the value of "
		           "\"%.*s\"", (int)nl, l);
		if (lines == 1 && host_sent)
			FUZZ_CHECK(ieq(l, nl, "Host"), "Host is not the first header");
		if (ieq(l, nl, "Content-Length"))
			content_length = 1;
		hosts += ieq(l, nl, "Host");
		/* user headers come out in order, exactly as given (Host
		 * first, checked above) */
		while (next_user < nu && skip_user(&u[next_user]))
			next_user++;
		if (next_user < nu && nl == u[next_user].name_len &&
		    memcmp(l, u[next_user].name, nl) == 0 &&
		    vl == u[next_user].value_len &&
		    memcmp(v, u[next_user].value, vl) == 0)
			next_user++;
	}
	FUZZ_CHECK(p == end, "bytes after the empty line");
	FUZZ_CHECK(hosts == host_sent, "%d Host lines, %d expected", hosts,
	           host_sent);
	while (next_user < nu && skip_user(&u[next_user]))
		next_user++;
	FUZZ_CHECK(next_user == nu, "user header %zu \"%.*s\" not sent in "
	           "order", next_user, (int)u[next_user].name_len,
	           u[next_user].name);
	int user_cl = 0;
	for (size_t i = 0; i < nu; i++)
		user_cl |= ieq(u[i].name, u[i].name_len, "Content-Length");
	if (rq->has_body && !user_cl)
		FUZZ_CHECK(content_length, "a body without Content-Length");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	uint8_t given = fuzz_u8(&in), flags = fuzz_u8(&in);
	(void)fuzz_u8(&in);
	(void)fuzz_u8(&in);
	int32_t num = (int32_t)fuzz_u32(&in);
	char *field[F_NFIELDS] = { 0 };
	char *user[MAX_USER];
	size_t nuser = 0;
	struct nk_http_request rq = { 0 };

	for (int i = 0; i < F_NFIELDS; i++) {
		const uint8_t *f;
		size_t n = fuzz_field(&in, 0, &f);
		if (given & (1u << i))
			field[i] = fuzz_strdup(f, n);
	}
	while (in.n > 0 && nuser < MAX_USER) {
		const uint8_t *f;
		size_t n = fuzz_field(&in, 0, &f);
		user[nuser++] = fuzz_strdup(f, n);
	}
	rq.method = field[F_METHOD];
	rq.target = field[F_TARGET];
	rq.host = field[F_HOST];
	rq.user_agent = field[F_UA];
	rq.userpass = field[F_USERPASS];
	rq.range = field[F_RANGE];
	rq.accept_encoding = field[F_AE];
	rq.referer = field[F_REFERER];
	rq.http10 = flags & 1;
	rq.has_body = (flags & 2) != 0;
	rq.body_len = num;
	rq.resume_from = flags & 4 ? num : 0;
	rq.headers = (const char *const *)user;
	rq.nheaders = nuser;

	/* The error classes this request has, by the documented rules. */
	int bad_arg = 0, bad_init = 0, bad_url = 0;
	struct uh u[MAX_USER];
	int user_host = 0;
	if (!rq.target)
		bad_arg = 1;
	else if (!clean_target(rq.target))
		bad_url = 1;
	if (rq.method && !token(rq.method, strlen(rq.method)))
		bad_init = 1;
	for (size_t i = 0; i < nuser; i++) {
		split(user[i], &u[i]);
		if (!u[i].ok)
			bad_init = 1;
		else if (ieq(u[i].name, u[i].name_len, "Host"))
			user_host = 1;
	}
	if (!user_host && rq.host && !clean_target(rq.host))
		bad_url = 1;
	if (!user_host && !rq.host && !rq.http10)
		bad_arg = 1;
	const char *vals[] = { rq.user_agent, rq.referer, rq.range,
	                       rq.accept_encoding };
	for (size_t i = 0; i < 4; i++)
		if (vals[i] && !clean_value(vals[i], strlen(vals[i])))
			bad_init = 1;
	if (rq.has_body && rq.body_len < 0)
		bad_arg = 1;

	char *out = (char *)"unset", msg[NK_ERR_MSG_LEN] = "";
	size_t outlen = 12345;
	nk_err e = nk_http_request_build(&rq, &out, &outlen, msg);
	if (e) {
		FUZZ_CHECK(out == NULL, "out not NULL after a failure");
		FUZZ_CHECK((e == NK_ERR_BAD_FUNCTION_ARGUMENT && bad_arg) ||
		           (e == NK_ERR_FAILED_INIT && bad_init) ||
		           (e == NK_ERR_URL_MALFORMAT && bad_url),
		           "refused with %d \"%s\"; the rules say arg %d init %d "
		           "url %d", e, msg, bad_arg, bad_init, bad_url);
		FUZZ_CHECK(msg[0] != '\0', "a refusal without a message");
		for (const char *m = msg; *m; m++)
			FUZZ_CHECK((unsigned char)*m >= 0x20 &&
			           (unsigned char)*m < 0x7f,
			           "unescaped byte 0x%02x in \"%s\"", (unsigned char)*m,
			           msg);
	} else {
		FUZZ_CHECK(!bad_arg && !bad_init && !bad_url, "accepted a request "
		           "the rules refuse (arg %d init %d url %d)", bad_arg,
		           bad_init, bad_url);
		/* One Host at most: the user's first with a value; a
		 * user's removal alone sends none; else rq.host. */
		int host_sent = !user_host && rq.host;
		for (size_t i = 0; i < nuser; i++)
			host_sent |= ieq(u[i].name, u[i].name_len, "Host") &&
			             !u[i].remove;
		check_head(&rq, u, nuser, host_sent, out, outlen);
		free(out);
	}
	for (int i = 0; i < F_NFIELDS; i++)
		free(field[i]);
	for (size_t i = 0; i < nuser; i++)
		free(user[i]);
	return 0;
}
