/* decode_br: the br content coding (RFC 7932) over Debian's libbrotli, as
 * an nk_codec step for decode.c. A br body is one stream: bytes after its
 * end are an error, as for deflate. The decoder's memory is bounded by
 * the format: a window of at most 16 MiB (the large-window extension,
 * which is not part of RFC 7932, stays off). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <brotli/decode.h>

#include "http/http_int.h"

struct brstate {
	BrotliDecoderState *br;
	char why[64];            /* the library's error name, made readable */
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

/* "_ERROR_FORMAT_PADDING_1" (the library's name) as "format padding 1" */
static const char *
br_why(struct brstate *s, BrotliDecoderErrorCode code)
{
	const char *name = BrotliDecoderErrorString(code);
	size_t n = 0;
	while (*name == '_')
		name++;
	if (!strncmp(name, "ERROR_", 6))
		name += 6;
	for (; *name && n + 1 < sizeof(s->why); name++)
		s->why[n++] = *name == '_' ? ' ' : (char)tolower((unsigned char)*name);
	s->why[n] = '\0';
	return s->why;
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
	*why = br_why(s, code);
	return NK_CODEC_BROKEN;
}

const struct nk_codec nk_codec_br = {
	"br", 0, br_open, br_step, br_reset, br_close
};
