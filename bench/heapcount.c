/*
 * bench/heapcount.c: an LD_PRELOAD library that counts a process's heap
 * allocations and the peak of its live heap, for bench/run's "heap" rows
 * (issue 17: one large transfer should make at most 100 allocations and
 * 150 KiB of peak heap). It stands between the client and glibc's
 * allocator for malloc, calloc, realloc, free and the aligned variants,
 * and at exit writes one line to the file named by NK_HEAPCOUNT_OUT:
 *
 *   allocs N mallocs N callocs N reallocs N aligned N frees N
 *   peak BYTES total BYTES
 *
 * (one line, fields separated by spaces). "allocs" counts every call
 * that hands out a block (malloc, calloc, realloc, aligned), as curl's
 * own memdebug does; "peak" is the largest sum of live blocks' usable
 * sizes (malloc_usable_size, so a few bytes over what was asked for per
 * block, as a user of the block could touch them), "total" the sum of
 * every block handed out. The whole process is counted: libc, OpenSSL
 * and the dynamic loader's dlopen as well as the client's own code.
 *
 * Built by bench/run itself (cc -shared -fPIC), not by the Makefile: it
 * is a tool of the harness, never linked into nk. It calls glibc's
 * exported __libc_* entry points rather than dlsym(RTLD_NEXT): dlsym
 * allocates, which would recurse into calloc before there is a real one.
 * The counters are atomic: nk -Z and curl's resolver run threads.
 * Compiled with -D_GNU_SOURCE (malloc_usable_size).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* glibc's own names for its allocator (exported, undeclared): reserved
 * identifiers by design, hence the NOLINTs. */
extern void *__libc_malloc(size_t); /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
extern void *__libc_calloc(size_t, size_t); /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
extern void *__libc_realloc(void *, size_t); /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
extern void *__libc_memalign(size_t, size_t); /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
extern void __libc_free(void *); /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

static uint64_t n_malloc, n_calloc, n_realloc, n_aligned, n_free;
static uint64_t live, peak, total;

static void grew(void *p)
{
	uint64_t sz, now, old;

	if (!p)
		return;
	sz = malloc_usable_size(p);
	__atomic_add_fetch(&total, sz, __ATOMIC_RELAXED);
	now = __atomic_add_fetch(&live, sz, __ATOMIC_RELAXED);
	old = __atomic_load_n(&peak, __ATOMIC_RELAXED);
	while (now > old && !__atomic_compare_exchange_n(&peak, &old, now, 1,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void shrank(void *p)
{
	if (p)
		__atomic_sub_fetch(&live, malloc_usable_size(p),
				   __ATOMIC_RELAXED);
}

static void count(uint64_t *n)
{
	__atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);

	count(&n_malloc);
	grew(p);
	return p;
}

void *calloc(size_t n, size_t m)
{
	void *p = __libc_calloc(n, m);

	count(&n_calloc);
	grew(p);
	return p;
}

void *realloc(void *old, size_t n)
{
	void *p;

	if (!old)
		return malloc(n);
	if (n == 0) {
		/* glibc frees and returns NULL: a free, not an allocation */
		free(old);
		return NULL;
	}
	/* The old block's size must be read before it may move or die; on
	 * failure it stays live, so it is put back. */
	shrank(old);
	p = __libc_realloc(old, n);
	count(&n_realloc);
	grew(p ? p : old);
	return p;
}

void free(void *p)
{
	if (!p)
		return;
	count(&n_free);
	shrank(p);
	__libc_free(p);
}

static void *aligned(size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	count(&n_aligned);
	grew(p);
	return p;
}

void *memalign(size_t align, size_t n)
{
	return aligned(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	return aligned(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = aligned(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	return aligned((size_t)sysconf(_SC_PAGESIZE), n);
}

void *pvalloc(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return aligned(pg, (n + pg - 1) / pg * pg);
}

/* Formatting by hand: stdio may allocate, and this runs during exit. */
static char *put(char *at, const char *name, uint64_t v)
{
	char digits[24];
	int k = 0;

	if (at[-1] != '\n')
		*at++ = ' ';
	while (*name)
		*at++ = *name++;
	*at++ = ' ';
	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		*at++ = digits[--k];
	return at;
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("NK_HEAPCOUNT_OUT");
	char buf[512], *at = buf + 1;
	int fd;

	if (!path || !*path)
		return;
	buf[0] = '\n';
	at = put(at, "allocs", n_malloc + n_calloc + n_realloc + n_aligned);
	at = put(at, "mallocs", n_malloc);
	at = put(at, "callocs", n_calloc);
	at = put(at, "reallocs", n_realloc);
	at = put(at, "aligned", n_aligned);
	at = put(at, "frees", n_free);
	at = put(at, "peak", peak);
	at = put(at, "total", total);
	*at++ = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf + 1, (size_t)(at - buf - 1)) < 0)
		(void)0;	/* nothing to tell: the harness sees no line */
	close(fd);
}
