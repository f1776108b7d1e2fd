/* decode_zlib: the gzip and deflate content codings over zlib, as
 * nk_codec steps for decode.c. A gzip body may hold several members (RFC
 * 1952 §2.2); a "deflate" body is a zlib stream (RFC 1950), or, as many
 * servers send it, raw deflate (RFC 1951): its first two bytes tell. */
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "http/http_int.h"

struct zstate {
	z_stream z;
	int gzip;
	int inited;              /* inflateInit2 done */
	unsigned char hdr[2];    /* deflate: first bytes, to tell zlib from raw */
	int nhdr;
};

static void *
gzip_open(void)
{
	struct zstate *s = calloc(1, sizeof(*s));
	if (s)
		s->gzip = 1;
	return s;
}

static void *
deflate_open(void)
{
	return calloc(1, sizeof(struct zstate));
}

static void
zclose(void *st)
{
	struct zstate *s = st;
	if (s && s->inited)
		inflateEnd(&s->z);
	free(s);
}

static int
zreset(void *st)
{
	struct zstate *s = st;
	return inflateReset(&s->z) == Z_OK ? 0 : -1;
}

/* The zlib stream header (RFC 1950 §2.2): CM 8, CINFO at most 7, and the
 * two bytes a multiple of 31. */
static int
looks_zlib(const unsigned char h[2])
{
	return (h[0] & 0x0f) == 8 && (h[0] >> 4) <= 7 &&
	       ((unsigned)h[0] * 256 + h[1]) % 31 == 0;
}

static int
run(struct zstate *s, const unsigned char **in, size_t *inlen,
    unsigned char *out, size_t *outlen, const char **why)
{
	/* uInt is 32 bits: a very large input goes in slices */
	uInt give = *inlen > (1u << 30) ? (1u << 30) : (uInt)*inlen;
	s->z.next_in = (unsigned char *)(uintptr_t)*in;
	s->z.avail_in = give;
	s->z.next_out = out;
	s->z.avail_out = (uInt)*outlen;
	int r = inflate(&s->z, Z_NO_FLUSH);
	*in += give - s->z.avail_in;
	*inlen -= give - s->z.avail_in;
	*outlen -= s->z.avail_out;
	if (r == Z_STREAM_END)
		return NK_CODEC_END;
	if (r == Z_MEM_ERROR)
		return NK_CODEC_NOMEM;
	if (r != Z_OK && r != Z_BUF_ERROR) {
		*why = s->z.msg;
		return NK_CODEC_BROKEN;
	}
	return NK_CODEC_MORE;
}

static int
zstep(void *st, const unsigned char **in, size_t *inlen, unsigned char *out,
      size_t *outlen, const char **why)
{
	struct zstate *s = st;
	if (s->inited)
		return run(s, in, inlen, out, outlen, why);
	if (!s->gzip) {
		while (s->nhdr < 2 && *inlen > 0) {
			s->hdr[s->nhdr++] = *(*in)++;
			(*inlen)--;
		}
		if (s->nhdr < 2) {
			*outlen = 0;
			return NK_CODEC_MORE;
		}
	}
	int wbits = s->gzip ? 15 + 16 : looks_zlib(s->hdr) ? 15 : -15;
	if (inflateInit2(&s->z, wbits) != Z_OK)
		return NK_CODEC_NOMEM;
	s->inited = 1;
	if (s->gzip)
		return run(s, in, inlen, out, outlen, why);
	/* the two bytes held back go first; what follows, on the next step */
	const unsigned char *h = s->hdr;
	size_t hn = 2;
	return run(s, &h, &hn, out, outlen, why);
}

const struct nk_codec nk_codec_gzip = {
	"gzip", 1, gzip_open, zstep, zreset, zclose
};

const struct nk_codec nk_codec_deflate = {
	"deflate", 0, deflate_open, zstep, zreset, zclose
};
