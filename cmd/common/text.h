/* text: printing text that came from outside (servers, certificates, user
 * input) so it cannot act on a terminal or break a JSON document. The
 * rule is libnk's (<nk/text.h>); these are the tools' writers over it. */
#ifndef NK_CMD_TEXT_H
#define NK_CMD_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "nk/err.h"

/* Writes s as a JSON string literal, or `null` for NULL. What the rule
 * lets through passes as it is (but '"', '\\', and \n, \r, \t, written
 * as JSON does); a character it stops (C0, DEL, C1, bidirectional
 * control) is written \uXXXX, and a byte that is not part of valid UTF-8
 * becomes its Latin-1 code point (\u00XX), so the document is always
 * valid JSON whatever a server sent. */
void text_json(FILE *f, const char *s);

/* The error of the tools' JSON documents: null for NK_OK, else
 * {"code": e, "name": nk_err_name(e), "message": msg} (msg by
 * text_json, so NULL is null). */
void text_json_error(FILE *f, nk_err e, const char *msg);

/* len bytes of s under nk_text_safe_len's rule with flags (NK_TEXT_*). */
void text_put(FILE *f, const char *s, size_t len, unsigned flags);

/* text_put with tabs passing: what reaches a terminal from the tools. */
void text_term(FILE *f, const char *s, size_t len);

/* text_term for a NUL-terminated string. */
void text_safe(FILE *f, const char *s);

/* The same into buf (always terminated, cut to fit); returns buf. */
const char *text_safe_buf(const char *s, char *buf, size_t len);

#endif
