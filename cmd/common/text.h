/* text: printing text that came from outside (servers, certificates, user
 * input) so it cannot act on a terminal or break a JSON document. One place
 * for the escaping rules every tool shares. */
#ifndef NK_CMD_TEXT_H
#define NK_CMD_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Writes s as a JSON string literal, or `null` for NULL. Control bytes and
 * DEL are escaped; valid UTF-8 passes through; a byte that is not part of
 * valid UTF-8 becomes its Latin-1 code point (\u00XX), so the document is
 * always valid JSON whatever a server sent. */
void text_json(FILE *f, const char *s);

/* Writes s with every control byte and DEL shown as \xNN. */
void text_safe(FILE *f, const char *s);

/* The same into buf (always terminated, cut to fit); returns buf. */
const char *text_safe_buf(const char *s, char *buf, size_t len);

#endif
