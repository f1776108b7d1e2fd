/* decode_zstd: the zstd content coding (RFC 8878) over Debian's libzstd,
 * as an nk_codec step for decode.c. A body may hold several frames, one
 * after another (RFC 8878 §3.1), skippable ones too: each end is a point
 * where the body may stop. Windows over NK_ZSTD_WINDOW_LOG_MAX (8 MiB, the
 * bound of RFC 9659 §3) are refused, so a response cannot make the decoder
 * allocate zstd's own default bound of 128 MiB. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "http/http_int.h"

/* RFC 8878 §3.1.1.2 */
#define ZSTD_BLOCK_HEADER 3

struct zsstate {
	ZSTD_DCtx *z;
	size_t want;             /* what the library asks for next, or 1 */
	int full;                /* the last call filled the output */
	char why[80];
};

static void *
zs_open(void)
{
	struct zsstate *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->z = ZSTD_createDCtx();
	if (!s->z || ZSTD_isError(ZSTD_DCtx_setParameter(s->z, ZSTD_d_windowLogMax,
	                                                  NK_ZSTD_WINDOW_LOG_MAX))) {
		ZSTD_freeDCtx(s->z);
		free(s);
		return NULL;
	}
	s->want = 1;
	return s;
}

static void
zs_close(void *st)
{
	struct zsstate *s = st;
	if (!s)
		return;
	ZSTD_freeDCtx(s->z);
	free(s);
}

static int
zs_reset(void *st)
{
	(void)st;
	return 0;                /* the next frame starts by itself */
}

static int
failed(struct zsstate *s, size_t r, const char **why)
{
	switch (ZSTD_getErrorCode(r)) {
	case ZSTD_error_memory_allocation:
		return NK_CODEC_NOMEM;
	case ZSTD_error_frameParameter_windowTooLarge:
		*why = "the window is over the 8 MiB limit";
		break;
	default:
		/* "Unknown frame descriptor" as "unknown frame descriptor" */
		snprintf(s->why, sizeof(s->why), "%s", ZSTD_getErrorName(r));
		s->why[0] = (char)tolower((unsigned char)s->why[0]);
		*why = s->why;
		break;
	}
	return NK_CODEC_BROKEN;
}

/* One call of the library with ib; out[0..*outlen) and what it wrote. */
static int
call(struct zsstate *s, ZSTD_inBuffer *ib, unsigned char *out,
     size_t *outlen, const char **why)
{
	ZSTD_outBuffer ob = { out, *outlen, 0 };
	size_t r = ZSTD_decompressStream(s->z, &ob, ib);
	*outlen = ob.pos;
	if (ZSTD_isError(r))
		return failed(s, r, why);
	s->full = ob.pos == ob.size;
	s->want = r == 0 ? 1 : r;
	return r == 0 ? NK_CODEC_END : NK_CODEC_MORE;
}

/* Given more than one unit (a header, a block, the checksum), zstd may
 * write a block's output and then fail on what follows without saying it
 * wrote anything, and the output before an error would depend on where
 * the input was split. So a call that may still have output to flush gets
 * no input, and any other at most the rest of one unit: what the library
 * asks for, less the 3 bytes of the next block header it adds to a
 * block's size. Less than a unit is always fine: zstd keeps it until the
 * rest comes. */
static int
zs_step(void *st, const unsigned char **in, size_t *inlen,
        unsigned char *out, size_t *outlen, const char **why)
{
	struct zsstate *s = st;
	size_t room = *outlen;
	if (s->full) {
		ZSTD_inBuffer none = { *in, 0, 0 };
		int r = call(s, &none, out, outlen, why);
		if (r != NK_CODEC_MORE || *outlen > 0)
			return r;
		*outlen = room;          /* nothing was left: on to the input */
	}
	size_t give = s->want > ZSTD_BLOCK_HEADER ? s->want - ZSTD_BLOCK_HEADER
	                                          : s->want;
	ZSTD_inBuffer ib = { *in, *inlen < give ? *inlen : give, 0 };
	int r = call(s, &ib, out, outlen, why);
	*in += ib.pos;
	*inlen -= ib.pos;
	return r;
}

const struct nk_codec nk_codec_zstd = {
	"zstd", 1, zs_open, zs_step, zs_reset, zs_close
};
