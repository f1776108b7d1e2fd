/* libFuzzer target: nk/multipart.h, the -F parser and the encoder.
 *
 * Input: [0] flags (bit 0: files of unknown size, bit 1: the first
 * argument is a --form-string), [1..4] seed of the read sizes and of the
 * boundaries, then up to 8 -F arguments separated by NUL bytes.
 *
 * Each argument is parsed; a header file (";headers=@F") holds the bytes
 * of its own name F, and a file part's file holds the bytes of its path.
 * The parts that parse are encoded three times: pulled in one read, pulled
 * in reads of random sizes from a file reader that gives random short
 * reads, and taken by peek/advance in random steps. The three bodies must
 * be the same, as long as the announced length when it is known, and the
 * boundary must delimit exactly the parts (when no file holds it). */
#include <stdint.h>
#include <string.h>

#include "nk/multipart.h"
#include "http/multipart_int.h"
#include "fuzz.h"

#define MAX_PARTS 8

static struct fuzz_rng boundary_rng;

/* Boundaries from the input's seed: the fuzzer can make one collide. */
static int
seeded_random(unsigned char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)fuzz_rand(&boundary_rng);
	return 0;
}

static nk_err
load(void *ctx, const char *path, char **data, size_t *len, char *errmsg)
{
	(void)ctx;
	(void)errmsg;
	*len = strlen(path);
	*data = fuzz_dup(path, *len);
	return NK_OK;
}

struct reader {
	const nk_multipart_part *parts;
	size_t off[MAX_PARTS];
	struct fuzz_rng rng;
	int short_reads;
};

static nk_err
file_read(void *ctx, size_t part, char *buf, size_t cap, size_t *got,
          char *errmsg)
{
	(void)errmsg;
	struct reader *r = ctx;
	FUZZ_CHECK(part < MAX_PARTS && r->parts[part].kind != NK_MULTIPART_VALUE,
	           "read of part %zu, not a file", part);
	const char *p = r->parts[part].path;
	size_t left = strlen(p) - r->off[part];
	size_t n = r->short_reads ? fuzz_piece(&r->rng, left) : left;
	if (n > cap)
		n = cap;
	FUZZ_CHECK(cap > 0, "a read of 0 bytes");
	memcpy(buf, p + r->off[part], n);
	r->off[part] += n;
	*got = n;
	return NK_OK;
}

static void
check_part(const nk_multipart_part *p)
{
	FUZZ_CHECK(p->kind <= NK_MULTIPART_FILE_CONTENT, "kind %d", p->kind);
	FUZZ_CHECK(p->size == -1, "parser set a size");
	if (p->kind == NK_MULTIPART_VALUE)
		FUZZ_CHECK(p->value && !p->path && strlen(p->value) == p->value_len,
		           "value part without its value");
	else
		FUZZ_CHECK(p->path && !p->value, "file part without a path");
	FUZZ_CHECK(p->kind != NK_MULTIPART_FILE || p->filename,
	           "upload without a filename");
	FUZZ_CHECK(p->kind != NK_MULTIPART_FILE_CONTENT || !p->filename,
	           "<file with a filename");
	FUZZ_CHECK(!p->type || !strpbrk(p->type, "\r\n"), "line break in type");
	for (size_t i = 0; i < p->num_headers; i++)
		FUZZ_CHECK(p->headers[i][0] && !strpbrk(p->headers[i], "\r\n"),
		           "empty header or line break in one");
}

static void
by_reads(nk_multipart *m, struct reader *r, uint32_t seed, int pieces,
         struct fuzz_tr *out)
{
	char buf[4096], msg[NK_ERR_MSG_LEN] = "";
	struct fuzz_rng rng = { seed };
	size_t got;
	nk_multipart_rewind(m);
	memset(r->off, 0, sizeof r->off);
	r->rng.s = seed ^ 0x5555;
	r->short_reads = pieces;
	do {
		size_t cap = pieces ? fuzz_piece(&rng, sizeof buf) : sizeof buf;
		nk_err e = nk_multipart_read(m, buf, cap, &got, file_read, r, msg);
		FUZZ_CHECK(!e, "nk_multipart_read: %s", msg);
		FUZZ_CHECK(got <= cap, "read %zu of %zu", got, cap);
		fuzz_tr_add(out, buf, got);
	} while (got > 0);
}

static void
by_steps(nk_multipart *m, struct reader *r, uint32_t seed,
         struct fuzz_tr *out)
{
	char msg[NK_ERR_MSG_LEN] = "";
	struct fuzz_rng rng = { seed * 7u + 1 };
	nk_multipart_rewind(m);
	memset(r->off, 0, sizeof r->off);
	for (;;) {
		nk_multipart_piece pc, again;
		nk_multipart_peek(m, &pc);
		nk_multipart_peek(m, &again);
		FUZZ_CHECK(memcmp(&pc, &again, sizeof pc) == 0, "peek moved");
		if (pc.kind == NK_MULTIPART_END)
			break;
		nk_err e;
		if (pc.kind == NK_MULTIPART_BYTES) {
			FUZZ_CHECK(pc.len > 0, "empty piece");
			size_t k = fuzz_piece(&rng, pc.len + 1) % (pc.len + 1);
			fuzz_tr_add(out, pc.data, k);
			e = nk_multipart_advance(m, k, msg);
		} else {
			const char *p = r->parts[pc.part].path;
			size_t left = strlen(p) - r->off[pc.part];
			FUZZ_CHECK(pc.left < 0 || pc.left == (int64_t)left,
			           "stream left %lld, file has %zu", (long long)pc.left,
			           left);
			if (left == 0) {
				e = nk_multipart_stream_eof(m, msg);
			} else {
				size_t k = fuzz_piece(&rng, left);
				fuzz_tr_add(out, p + r->off[pc.part], k);
				r->off[pc.part] += k;
				e = nk_multipart_advance(m, k, msg);
			}
		}
		FUZZ_CHECK(!e, "advance: %s", msg);
	}
	FUZZ_CHECK(nk_multipart_offset(m) == out->len, "offset %llu, took %zu",
	           (unsigned long long)nk_multipart_offset(m), out->len);
}

static size_t
count(const unsigned char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), c = 0;
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			c++;
	return c;
}

static void
encode(const nk_multipart_part *parts, size_t n, uint32_t seed)
{
	char msg[NK_ERR_MSG_LEN] = "";
	nk_multipart *m;
	boundary_rng.s = seed;
	nk_err e = nk_multipart_new(parts, n, NULL, &m, msg);
	if (e) {
		/* only the seeded boundaries colliding 8 times in a row */
		FUZZ_CHECK(e == NK_ERR_FAILED_INIT, "nk_multipart_new: %s", msg);
		return;
	}
	struct reader r = { parts, { 0 }, { 0 }, 0 };
	struct fuzz_tr whole = { 0 }, reads = { 0 }, steps = { 0 };
	by_reads(m, &r, seed, 0, &whole);
	by_reads(m, &r, seed, 1, &reads);
	by_steps(m, &r, seed, &steps);
	fuzz_tr_same(&whole, &reads, "one read vs random reads");
	fuzz_tr_same(&whole, &steps, "one read vs peek/advance");
	int64_t len = nk_multipart_length(m);
	FUZZ_CHECK(len < 0 || (uint64_t)len == whole.len, "length %lld, body "
	           "%zu", (long long)len, whole.len);

	const char *b = nk_multipart_boundary(m);
	int in_file = 0;
	for (size_t i = 0; i < n; i++)
		in_file |= parts[i].kind != NK_MULTIPART_VALUE &&
		           strstr(parts[i].path, b) != NULL;
	if (!in_file)
		FUZZ_CHECK(count(whole.p, whole.len, b) == n + 1, "boundary %zu "
		           "times for %zu parts", count(whole.p, whole.len, b), n);
	fuzz_tr_free(&whole);
	fuzz_tr_free(&reads);
	fuzz_tr_free(&steps);
	nk_multipart_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	uint8_t flags = fuzz_u8(&in);
	uint32_t seed = fuzz_u32(&in);
	nk_multipart_part parts[MAX_PARTS];
	size_t n = 0;

	nk_multipart_set_rng(seeded_random);
	for (int k = 0; k < MAX_PARTS && in.n > 0; k++) {
		const uint8_t *f;
		size_t len = fuzz_field(&in, 0, &f);
		char *arg = fuzz_strdup(f, len);
		char msg[NK_ERR_MSG_LEN] = "";
		unsigned how = k == 0 && (flags & 2) ? NK_MULTIPART_LITERAL : 0;
		nk_err e = nk_multipart_parse_arg(arg, how, load, NULL, &parts[n],
		                                  msg);
		free(arg);
		if (e) {
			FUZZ_CHECK(e == NK_ERR_FAILED_INIT && strncmp(msg, "form field: ",
			           12) == 0, "parse error %d: %s", e, msg);
			nk_multipart_part_clear(&parts[n]);
			continue;
		}
		check_part(&parts[n]);
		if (parts[n].kind != NK_MULTIPART_VALUE)
			parts[n].size = flags & 1 ? -1 : (int64_t)strlen(parts[n].path);
		n++;
	}
	encode(parts, n, seed);
	for (size_t i = 0; i < n; i++)
		nk_multipart_part_clear(&parts[i]);
	nk_multipart_set_rng(NULL);
	return 0;
}
