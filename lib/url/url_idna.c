/* url_idna: UTS #46 ToASCII for the URL Standard's domain parser, with
 * CheckHyphens=false, CheckBidi=true, CheckJoiners=true,
 * UseSTD3ASCIIRules=false, Transitional_Processing=false,
 * VerifyDnsLength=false and IgnoreInvalidPunycode=false.
 *
 * libidn2 supplies the UTS #46 mapping table, one code point at a time: its
 * whole-domain calls also apply IDNA2008 rules the URL Standard does not
 * want (no symbols or emoji, no "--" in third and fourth place), and it
 * exports neither the mapping nor NFC on their own. The validity criteria
 * and Punycode are done here; NFC and the character properties they need
 * (combining class, general category, bidi class, joining type) come from
 * libunistring, which libidn2 uses too. */
#include <errno.h>
#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>

#include "nk/text.h"
#include "url/url_int.h"

/* UTS #46 "deviation" characters: kept as they are by nontransitional
 * processing, which libidn2's transitional table would map. */
static int
is_deviation(uint32_t c)
{
	return c == 0xDF || c == 0x3C2 || c == 0x200C || c == 0x200D;
}

/* Bidi classes, as RFC 5893 names them. */
enum url_bidi {
	URL_BIDI_L, URL_BIDI_R, URL_BIDI_AL, URL_BIDI_EN, URL_BIDI_ES,
	URL_BIDI_ET, URL_BIDI_AN, URL_BIDI_CS, URL_BIDI_NSM, URL_BIDI_BN,
	URL_BIDI_ON, URL_BIDI_OTHER,
};

/* The Unicode properties of the checks below, from libunistring. */
static unsigned
ccc(uint32_t c)
{
	return (unsigned)uc_combining_class(c);
}

static int
is_mark(uint32_t c)
{
	return uc_is_general_category(c, UC_CATEGORY_M);
}

static enum url_bidi
bidi(uint32_t c)
{
	switch (uc_bidi_category(c)) {
	case UC_BIDI_L: return URL_BIDI_L;
	case UC_BIDI_R: return URL_BIDI_R;
	case UC_BIDI_AL: return URL_BIDI_AL;
	case UC_BIDI_EN: return URL_BIDI_EN;
	case UC_BIDI_ES: return URL_BIDI_ES;
	case UC_BIDI_ET: return URL_BIDI_ET;
	case UC_BIDI_AN: return URL_BIDI_AN;
	case UC_BIDI_CS: return URL_BIDI_CS;
	case UC_BIDI_NSM: return URL_BIDI_NSM;
	case UC_BIDI_BN: return URL_BIDI_BN;
	case UC_BIDI_ON: return URL_BIDI_ON;
	}
	return URL_BIDI_OTHER;
}

/* Joining_Type: 'D', 'R', 'L', 'C', 'T', or 'U' for the rest. */
static int
joining(uint32_t c)
{
	switch (uc_joining_type(c)) {
	case UC_JOINING_TYPE_D: return 'D';
	case UC_JOINING_TYPE_R: return 'R';
	case UC_JOINING_TYPE_L: return 'L';
	case UC_JOINING_TYPE_C: return 'C';
	case UC_JOINING_TYPE_T: return 'T';
	}
	return 'U';
}

/* NFC of in[0..n), replacing out's contents (written into out's memory
 * when it is big enough). */
static int
nfc(const uint32_t *in, size_t n, struct u32buf *out)
{
	size_t len = out->cap;

	out->len = 0;
	if (n == 0)
		return URL_OK;
	uint32_t *r = u32_normalize(UNINORM_NFC, in, n, out->p, &len);
	if (!r)
		return errno == ENOMEM ? URL_NOMEM : URL_FAIL;
	if (r != out->p) {
		free(out->p);
		out->p = r;
		out->cap = len;
	}
	out->len = len;
	return URL_OK;
}

/* The UTS #46 mapping of one non-ASCII, non-deviation code point, appended
 * to out. libidn2 sees it between two "0"s, which keep its hyphen and
 * label checks quiet and compose with nothing. */
static int
map_one(uint32_t c, struct u32buf *out)
{
	char in[7] = "0";
	uint8_t *res = NULL;
	int rc = URL_NOMEM;
	size_t start = out->len;

	size_t cl = nk_utf8_encode(c, in + 1);
	memcpy(in + 1 + cl, "0", 2);
	int irc = idn2_lookup_u8((const uint8_t *)in, &res, IDN2_TRANSITIONAL);
	if (irc == IDN2_MALLOC) {
		goto done;
	} else if (irc != IDN2_OK) {
		rc = URL_FAIL;   /* disallowed, or maps to something unusable */
		goto done;
	}
	const char *s = (const char *)res;
	for (;;) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		if (n >= 4 && memcmp(s, "xn--", 4) == 0) {
			if ((rc = url_puny_decode(s + 4, n - 4, out)) != URL_OK)
				goto done;
		} else {
			for (size_t j = 0; j < n; j++)
				if (u32_put(out, (unsigned char)s[j]))
					goto done;
		}
		if (!dot)
			break;
		if (u32_put(out, '.'))
			goto done;
		s = dot + 1;
	}
	/* Drop the two guards again. */
	if (out->len - start < 2 || out->p[start] != '0' ||
	    out->p[out->len - 1] != '0') {
		rc = URL_FAIL;
		goto done;
	}
	memmove(out->p + start, out->p + start + 1,
	        (out->len - start - 2) * sizeof *out->p);
	out->len -= 2;
	rc = URL_OK;
done:
	if (rc != URL_OK)
		out->len = start;
	idn2_free(res);
	return rc;
}

static int
map_cp(uint32_t c, struct u32buf *out)
{
	if (c < 0x80)
		return u32_put(out, c >= 'A' && c <= 'Z' ? c + 32 : c) ?
		       URL_NOMEM : URL_OK;
	if (is_deviation(c))
		return u32_put(out, c) ? URL_NOMEM : URL_OK;
	return map_one(c, out);
}

/* Status "valid" or "deviation": the mapping leaves c alone. */
static int
is_valid_cp(uint32_t c, struct u32buf *tmp)
{
	tmp->len = 0;
	int rc = map_cp(c, tmp);
	if (rc != URL_OK)
		return rc;
	return tmp->len == 1 && tmp->p[0] == c ? 1 : 0;
}

/* RFC 5892 appendix A.1 and A.2 (CONTEXTJ), for each joiner in the label. */
static int
joiners_ok(const uint32_t *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (l[i] != 0x200C && l[i] != 0x200D)
			continue;
		if (i > 0 && ccc(l[i - 1]) == 9)   /* after a virama */
			continue;
		if (l[i] == 0x200D)
			return 0;
		size_t j = i;
		while (j > 0 && joining(l[j - 1]) == 'T')
			j--;
		if (j == 0 || (joining(l[j - 1]) != 'L' && joining(l[j - 1]) != 'D'))
			return 0;
		size_t k = i + 1;
		while (k < n && joining(l[k]) == 'T')
			k++;
		if (k == n || (joining(l[k]) != 'R' && joining(l[k]) != 'D'))
			return 0;
	}
	return 1;
}

/* RFC 5893 section 2, the six rules, for a label of a Bidi domain name. */
static int
bidi_ok(const uint32_t *l, size_t n)
{
	enum url_bidi first = bidi(l[0]), end = URL_BIDI_NSM;
	int rtl, en = 0, an = 0;

	if (first == URL_BIDI_R || first == URL_BIDI_AL)
		rtl = 1;
	else if (first == URL_BIDI_L)
		rtl = 0;
	else
		return 0;
	for (size_t i = 0; i < n; i++) {
		enum url_bidi b = bidi(l[i]);
		switch (b) {
		case URL_BIDI_R: case URL_BIDI_AL: case URL_BIDI_AN:
			if (!rtl)
				return 0;
			an |= b == URL_BIDI_AN;
			break;
		case URL_BIDI_L:
			if (rtl)
				return 0;
			break;
		case URL_BIDI_EN:
			en = 1;
			break;
		case URL_BIDI_ES: case URL_BIDI_CS: case URL_BIDI_ET:
		case URL_BIDI_ON: case URL_BIDI_BN: case URL_BIDI_NSM:
			break;
		default:
			return 0;
		}
		if (b != URL_BIDI_NSM)
			end = b;
	}
	if (rtl)
		return (end == URL_BIDI_R || end == URL_BIDI_AL ||
		        end == URL_BIDI_EN || end == URL_BIDI_AN) && !(en && an);
	return end == URL_BIDI_L || end == URL_BIDI_EN;
}

static int
is_rtl_cp(uint32_t c)
{
	enum url_bidi b = bidi(c);
	return b == URL_BIDI_R || b == URL_BIDI_AL || b == URL_BIDI_AN;
}

/* An "xn--" label. */
static int
is_xn(const uint32_t *l, size_t n)
{
	return n >= 4 && l[0] == 'x' && l[1] == 'n' && l[2] == '-' && l[3] == '-';
}

/* A label decoded from Punycode must come out mapped and in NFC already
 * (every code point "valid" or "deviation") and must not be an "xn--"
 * label again. */
static int
check_decoded(const uint32_t *l, size_t n, struct u32buf *tmp)
{
	int rc;

	if (is_xn(l, n))
		return URL_FAIL;
	if ((rc = nfc(l, n, tmp)) != URL_OK)
		return rc;
	if (tmp->len != n || memcmp(tmp->p, l, n * sizeof *l) != 0)
		return URL_FAIL;
	for (size_t k = 0; k < n; k++) {
		if (l[k] == '.')
			return URL_FAIL;
		if ((rc = is_valid_cp(l[k], tmp)) <= 0)
			return rc == 0 ? URL_FAIL : rc;
	}
	return URL_OK;
}

struct label {
	size_t off, len;      /* in the label buffer, as Unicode */
	size_t aoff, alen;    /* an "xn--" label as written, in the NFC text */
	int from_puny;
};

/* One domain's way through ToASCII. */
struct idna {
	struct u32buf mapped;   /* after step 1 */
	struct u32buf norm;     /* after step 2, NFC */
	struct u32buf uni;      /* the labels as Unicode, "xn--" ones decoded */
	struct u32buf tmp;
	struct label *labels;
	size_t nlabels, cap;
	int bidi_domain;        /* some label holds a right-to-left character */
	const char **reason;
};

static int
idna_fail(struct idna *d, int rc, const char *reason)
{
	if (rc == URL_FAIL)
		*d->reason = reason;
	return rc;
}

/* Steps 1 and 2: map every code point, then normalise to NFC. */
static int
map_domain(struct idna *d, const char *in, size_t len)
{
	int rc;

	for (size_t i = 0; i < len;) {
		uint32_t c;
		i += nk_utf8_next((const unsigned char *)in + i, len - i, &c, NULL);
		if ((rc = map_cp(c, &d->mapped)) != URL_OK)
			return idna_fail(d, rc, "disallowed character in domain");
	}
	if ((rc = nfc(d->mapped.p, d->mapped.len, &d->norm)) != URL_OK)
		return idna_fail(d, rc, "cannot normalise domain");
	/* Only ignored code points (U+00AD, say): nothing is left to be a host,
	 * and the Standard fails an empty domain. */
	if (d->norm.len == 0)
		return idna_fail(d, URL_FAIL, "empty host after IDNA mapping");
	return URL_OK;
}

/* Step 4 for an "xn--" label l[0..n): its Punycode decoded onto uni. */
static int
decode_puny_label(struct idna *d, struct label *lb, const uint32_t *l,
                  size_t n)
{
	nk_buf a = NK_BUF_INIT(URL_MAX_OUTPUT);
	int rc = URL_OK;

	for (size_t k = 4; k < n && rc == URL_OK; k++) {
		if (l[k] >= 0x80)
			rc = URL_FAIL;
		else if (nk_buf_addc(&a, (char)l[k]))
			rc = URL_NOMEM;
	}
	if (rc == URL_OK)
		rc = url_puny_decode(nk_buf_str(&a), a.len, &d->uni);
	nk_buf_free(&a);
	if (rc == URL_NOMEM)
		return rc;
	lb->len = d->uni.len - lb->off;
	/* A label that decodes to nothing, or to ASCII only, was never
	 * Punycode's to write. */
	int ascii_only = 1;
	for (size_t k = 0; k < lb->len; k++)
		if (d->uni.p[lb->off + k] >= 0x80)
			ascii_only = 0;
	if (rc != URL_OK || lb->len == 0 || ascii_only)
		return idna_fail(d, URL_FAIL, "invalid punycode label in domain");
	return URL_OK;
}

static struct label *
new_label(struct idna *d)
{
	if (d->nlabels == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 8;
		struct label *nl = realloc(d->labels, ncap * sizeof *nl);
		if (!nl)
			return NULL;
		d->labels = nl;
		d->cap = ncap;
	}
	return &d->labels[d->nlabels++];
}

/* Steps 3 and 4: break into labels, convert "xn--" labels to Unicode. */
static int
split_labels(struct idna *d)
{
	int rc;

	for (size_t i = 0; i <= d->norm.len;) {
		size_t j = i;
		while (j < d->norm.len && d->norm.p[j] != '.')
			j++;
		struct label *lb = new_label(d);
		if (!lb)
			return URL_NOMEM;
		const uint32_t *l = d->norm.p + i;
		size_t n = j - i;
		lb->aoff = i;
		lb->alen = n;
		lb->off = d->uni.len;
		lb->from_puny = is_xn(l, n);
		if (lb->from_puny) {
			if ((rc = decode_puny_label(d, lb, l, n)) != URL_OK)
				return rc;
		} else {
			for (size_t k = 0; k < n; k++)
				if (u32_put(&d->uni, l[k]))
					return URL_NOMEM;
			lb->len = n;
		}
		for (size_t k = 0; k < lb->len; k++)
			if (is_rtl_cp(d->uni.p[lb->off + k]))
				d->bidi_domain = 1;
		i = j + 1;
	}
	return URL_OK;
}

/* The validity criteria, label by label. */
static int
check_labels(struct idna *d)
{
	int rc;

	for (size_t i = 0; i < d->nlabels; i++) {
		size_t n = d->labels[i].len;
		/* Empty labels first: with nothing but those, uni.p is NULL and
		 * no offset may be added. */
		if (n == 0)
			continue;
		const uint32_t *l = d->uni.p + d->labels[i].off;
		if (d->labels[i].from_puny &&
		    (rc = check_decoded(l, n, &d->tmp)) != URL_OK)
			return idna_fail(d, rc, "invalid punycode label in domain");
		if (is_mark(l[0]))
			return idna_fail(d, URL_FAIL, "domain label starts with a "
			                 "combining mark");
		if (!joiners_ok(l, n))
			return idna_fail(d, URL_FAIL, "zero width joiner out of "
			                 "context in domain");
		if (d->bidi_domain && !bidi_ok(l, n))
			return idna_fail(d, URL_FAIL, "domain breaks the "
			                 "bidirectional text rules");
	}
	return URL_OK;
}

/* Step 5: each label to ASCII, "xn--" ones as they were written. */
static int
labels_to_ascii(struct idna *d, nk_buf *out)
{
	for (size_t i = 0; i < d->nlabels; i++) {
		const struct label *lb = &d->labels[i];
		const uint32_t *l;
		size_t n = lb->len;
		int ascii = 1;

		if (i > 0 && nk_buf_addc(out, '.'))
			return URL_NOMEM;
		if (lb->from_puny) {
			l = d->norm.p + lb->aoff;
			n = lb->alen;
		} else if (n == 0) {
			continue;
		} else {
			l = d->uni.p + lb->off;
		}
		for (size_t k = 0; k < n; k++)
			if (l[k] >= 0x80)
				ascii = 0;
		if (ascii) {
			for (size_t k = 0; k < n; k++)
				if (nk_buf_addc(out, (char)l[k]))
					return URL_NOMEM;
			continue;
		}
		if (nk_buf_adds(out, "xn--"))
			return URL_NOMEM;
		int rc = url_puny_encode(l, n, out);
		if (rc != URL_OK)
			return idna_fail(d, rc, "domain label too long");
	}
	return URL_OK;
}

int
url_idna_to_ascii(const char *in, size_t len, nk_buf *out,
                  const char **reason)
{
	struct idna d = { .reason = reason };
	int rc;

	if ((rc = map_domain(&d, in, len)) == URL_OK &&
	    (rc = split_labels(&d)) == URL_OK &&
	    (rc = check_labels(&d)) == URL_OK)
		rc = labels_to_ascii(&d, out);
	u32_free(&d.mapped);
	u32_free(&d.norm);
	u32_free(&d.uni);
	u32_free(&d.tmp);
	free(d.labels);
	return rc;
}
