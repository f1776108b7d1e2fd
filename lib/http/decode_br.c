/* decode_br: the br content coding (RFC 7932) over Debian's libbrotli, as
 * an nk_codec step for decode.c. A br body is one stream: bytes after its
 * end are an error, as for deflate. The decoder's memory is bounded by
 * the format: a window of at most 16 MiB (the large-window extension,
 * which is not part of RFC 7932, stays off). */
#include <stdlib.h>
#include <brotli/decode.h>

#include "http/http_int.h"

struct brstate {
	BrotliDecoderState *br;
};

static void *
br_open(void)
{
	struct brstate *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->br = BrotliDecoderCreateInstance(NULL, NULL, NULL);
	if (!s->br) {
		free(s);
		return NULL;
	}
	return s;
}

static void
br_close(void *st)
{
	struct brstate *s = st;
	if (!s)
		return;
	BrotliDecoderDestroyInstance(s->br);
	free(s);
}

static int
br_reset(void *st)
{
	(void)st;
	return -1;               /* never called: br has one stream */
}

static int
br_step(void *st, const unsigned char **in, size_t *inlen,
        unsigned char *out, size_t *outlen, const char **why)
{
	struct brstate *s = st;
	size_t room = *outlen;
	unsigned char *next = out;
	BrotliDecoderResult r = BrotliDecoderDecompressStream(s->br, inlen, in,
	                                                      &room, &next, NULL);
	*outlen -= room;
	switch (r) {
	case BROTLI_DECODER_RESULT_SUCCESS:
		return NK_CODEC_END;
	case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
	case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
		return NK_CODEC_MORE;
	default:
		break;
	}
	BrotliDecoderErrorCode code = BrotliDecoderGetErrorCode(s->br);
	if (code <= BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES &&
	    code >= BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES)
		return NK_CODEC_NOMEM;
	/* One reason for all: the library's code for one bad stream differs
	 * with where the input was split (BLOCK_LENGTH_1 or _2), and a
	 * message must not. */
	*why = "invalid data";
	return NK_CODEC_BROKEN;
}

const struct nk_codec nk_codec_br = {
	"br", 0, br_open, br_step, br_reset, br_close
};
