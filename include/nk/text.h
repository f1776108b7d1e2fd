/* libnk text: UTF-8, the one decoder of libnk and its tools.
 *
 * (Terminal-safe escaping joins this header: one rule for C0, C1, ESC,
 * DEL, invalid UTF-8 and bidirectional overrides.) */
#ifndef NK_TEXT_H
#define NK_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "nk/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decodes one character of s[0..len) (len > 0): sets *cp and returns the
 * bytes used. An invalid sequence (overlong, surrogate, past U+10FFFF,
 * cut short) gives U+FFFD and the length of its maximal subpart, as the
 * WHATWG and Unicode decoders do; *bad (when not NULL) tells it apart
 * from a real U+FFFD. */
NK_API size_t nk_utf8_next(const unsigned char *s, size_t len, uint32_t *cp,
                           int *bad);

/* The UTF-8 form of cp (at most U+10FFFF) into out; returns its length
 * (1 to 4). */
NK_API size_t nk_utf8_encode(uint32_t cp, char out[4]);

/* The offset of the first byte of s[0..len) that is not part of valid
 * UTF-8, or len when all of it is. */
NK_API size_t nk_utf8_valid(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
