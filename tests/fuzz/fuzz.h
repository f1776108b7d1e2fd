/* Helpers shared by the libFuzzer targets in tests/fuzz: a failed check
 * that aborts with a message (libFuzzer then saves the input), a small
 * deterministic generator for split points, a transcript that two runs of a
 * parser fill so they can be compared byte for byte, and ASan poisoning of
 * the bytes a parser has not been given yet.
 *
 * Every target reads its options from the first bytes of the input (the
 * seed corpus starts with them too, see mkcorpus.py) and the split points
 * from a seed among them, so libFuzzer mutates how the input is cut as well
 * as what it holds. */
#ifndef NK_FUZZ_H
#define NK_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
/* Bytes after what a parser was given must not be read: poisoned, a read
 * there is an ASan report even though the memory is allocated. */
#define FUZZ_POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define FUZZ_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define FUZZ_POISON(p, n)   ((void)(p), (void)(n))
#define FUZZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the target checks does not hold: report and abort, so that
 * libFuzzer keeps the input as a crash. */
__attribute__((noreturn, format(printf, 3, 4))) static void
fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "\n%s:%d: fuzz check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

/* ---- input reader ------------------------------------------------- */

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* The reader over libFuzzer's input, which may be a NULL pointer when
 * empty: pointer arithmetic on NULL is undefined even by 0. */
#define FUZZ_IN(data, size) \
	{ (data) ? (data) : (const uint8_t *)"", (data) ? (size) : 0 }

/* The next byte, or 0 once the input is used up. */
static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint32_t
fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | fuzz_u8(in);
	return v;
}

/* Bytes up to (not including) the next `sep`, or up to the end. The
 * separator is consumed. */
static inline size_t
fuzz_field(struct fuzz_in *in, uint8_t sep, const uint8_t **out)
{
	const uint8_t *e = memchr(in->p, sep, in->n);
	size_t n = e ? (size_t)(e - in->p) : in->n;
	*out = in->p;
	in->p += n;
	in->n -= n;
	if (e) {
		in->p++;
		in->n--;
	}
	return n;
}

/* ---- split points -------------------------------------------------- */

/* splitmix64: tiny, and every seed gives a different sequence. */
struct fuzz_rng {
	uint64_t s;
};

static inline uint64_t
fuzz_rand(struct fuzz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The length of the next piece when `left` bytes remain: mostly short
 * pieces (where a sequence is most likely to be cut), sometimes long. */
static inline size_t
fuzz_piece(struct fuzz_rng *r, size_t left)
{
	if (left == 0)
		return 0;
	uint64_t v = fuzz_rand(r);
	size_t n;
	switch (v & 3) {
	case 0:
		n = 1;
		break;
	case 1:
		n = 1 + (size_t)((v >> 8) % 8);
		break;
	case 2:
		n = 1 + (size_t)((v >> 8) % 64);
		break;
	default:
		n = 1 + (size_t)((v >> 8) % left);
		break;
	}
	return n < left ? n : left;
}

/* ---- transcripts --------------------------------------------------- */

/* What a run produced, serialized, so that two runs compare with memcmp.
 * Capped: a target writes at most a few times its input. */
struct fuzz_tr {
	unsigned char *p;
	size_t len, cap;
};

static inline void
fuzz_tr_add(struct fuzz_tr *t, const void *s, size_t n)
{
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap : 1024;
		while (cap < t->len + n)
			cap *= 2;
		unsigned char *p = realloc(t->p, cap);
		FUZZ_CHECK(p != NULL, "out of memory for the transcript");
		t->p = p;
		t->cap = cap;
	}
	if (n)
		memcpy(t->p + t->len, s, n);
	t->len += n;
}

static inline void
fuzz_tr_u64(struct fuzz_tr *t, uint64_t v)
{
	fuzz_tr_add(t, &v, sizeof v);
}

/* A tag and a number: "what happened", for readable mismatch reports. */
static inline void
fuzz_tr_ev(struct fuzz_tr *t, char tag, uint64_t v)
{
	fuzz_tr_add(t, &tag, 1);
	fuzz_tr_u64(t, v);
}

static inline void
fuzz_tr_free(struct fuzz_tr *t)
{
	free(t->p);
	t->p = NULL;
	t->len = t->cap = 0;
}

/* Aborts with the first differing offset when two transcripts differ. */
static inline void
fuzz_tr_same(const struct fuzz_tr *a, const struct fuzz_tr *b,
             const char *what)
{
	size_t n = a->len < b->len ? a->len : b->len, i = 0;
	while (i < n && a->p[i] == b->p[i])
		i++;
	if (i < n || a->len != b->len) {
		/* both around the difference, for the report */
		const struct fuzz_tr *t[2] = { a, b };
		for (int k = 0; k < 2; k++) {
			size_t from = i > 48 ? i - 48 : 0;
			fprintf(stderr, "run %d, bytes %zu..:", k + 1, from);
			for (size_t j = from; j < t[k]->len && j < i + 48; j++)
				fprintf(stderr, "%s%02x", j == i ? " [" : " ", t[k]->p[j]);
			fputc('\n', stderr);
		}
	}
	FUZZ_CHECK(i == n && a->len == b->len, "%s: runs differ at transcript "
	           "byte %zu (lengths %zu and %zu)", what, i, a->len, b->len);
}

/* A copy of n bytes in a buffer of exactly n bytes (at least 1), so that
 * ASan sees any read past the end. */
static inline char *
fuzz_dup(const void *s, size_t n)
{
	char *p = malloc(n ? n : 1);
	FUZZ_CHECK(p != NULL, "out of memory");
	if (n)
		memcpy(p, s, n);
	return p;
}

/* A NUL-terminated copy. */
static inline char *
fuzz_strdup(const void *s, size_t n)
{
	char *p = malloc(n + 1);
	FUZZ_CHECK(p != NULL, "out of memory");
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

#endif
