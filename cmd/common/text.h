/* text: printing text that came from outside (servers, certificates, user
 * input) so it cannot act on a terminal or break a JSON document. One place
 * for the escaping rules every tool shares. */
#ifndef NK_CMD_TEXT_H
#define NK_CMD_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Writes s as a JSON string literal, or `null` for NULL. Control bytes and
 * DEL are escaped; valid UTF-8 passes through, but for C1 controls and
 * bidirectional controls (text_term's rule), written \uXXXX; a byte that
 * is not part of valid UTF-8 becomes its Latin-1 code point (\u00XX), so
 * the document is always valid JSON whatever a server sent. */
void text_json(FILE *f, const char *s);

/* The one rule for text that reaches a terminal: len bytes of s, with
 * printable ASCII, tab and valid UTF-8 as they are, and every byte of a
 * C0 control (ESC too), DEL, a C1 control (raw 0x80..0x9f or U+0080..
 * U+009F), invalid UTF-8 or a bidirectional control (U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069) shown as \xNN. */
void text_term(FILE *f, const char *s, size_t len);

/* text_term for a NUL-terminated string. */
void text_safe(FILE *f, const char *s);

/* The same into buf (always terminated, cut to fit); returns buf. */
const char *text_safe_buf(const char *s, char *buf, size_t len);

#endif
