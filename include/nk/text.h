/* libnk text: UTF-8, the one decoder of libnk and its tools, and the one
 * rule for showing outside text (servers, certificates, arguments) on a
 * terminal.
 *
 * The rule: printable ASCII, tab where the caller allows it, and valid
 * UTF-8 pass; every byte of a C0 control (ESC among them), DEL, a C1
 * control (a raw byte 0x80..0x9F or U+0080..U+009F encoded), invalid
 * UTF-8 or a bidirectional control (U+061C, U+200E, U+200F, U+202A..
 * U+202E, U+2066..U+2069) is shown as \xNN (lower-case hex). Nothing
 * here fails but the nk_buf append (its sticky error). */
#ifndef NK_TEXT_H
#define NK_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "nk/buf.h"
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

/* Flags of the rule (0: UTF-8 text, tab escaped). */
#define NK_TEXT_TAB    0x1u  /* a tab passes */
#define NK_TEXT_8BIT   0x2u  /* one byte a character, not UTF-8 (an ISO 8859
                                terminal): 0xA0..0xFF pass, 0x80..0x9F are
                                C1 controls */
#define NK_TEXT_STREAM 0x4u  /* more bytes follow s[len): a UTF-8 character
                                cut short there is not yet invalid */

/* NK_TEXT_WIRE: bytes of a protocol, shown exactly and reversibly:
 * printable ASCII alone passes, not UTF-8; a backslash is doubled; CR,
 * LF, tab and NUL are \\r \\n \\t \\0. */
#define NK_TEXT_WIRE   0x8u
/* nk_text_safe_len's answer when s[0..len) is the start of a valid UTF-8
 * character and more bytes are needed (NK_TEXT_STREAM only). */
#define NK_TEXT_MORE ((size_t)-1)

/* The classification (len > 0): how many bytes at s are one character
 * that may reach a terminal as it is; 0 when the byte s[0] must be
 * escaped; NK_TEXT_MORE when the character is not complete yet. */
NK_API size_t nk_text_safe_len(const char *s, size_t len, unsigned flags);

/* Appends s[0..len) to out under the rule. 0, or -1 when the append
 * failed now or earlier (out->err). */
NK_API int nk_text_escape(nk_buf *out, const char *s, size_t len,
                          unsigned flags);

/* As much of s[0..len) under the rule as fits in dst (dstlen bytes with
 * the NUL; NUL-terminated when dstlen > 0), cut between characters and
 * escapes, never inside one. Returns the bytes of s taken. */
NK_API size_t nk_text_escape_to(char *dst, size_t dstlen, const char *s,
                                size_t len, unsigned flags);

#ifdef __cplusplus
}
#endif

#endif
