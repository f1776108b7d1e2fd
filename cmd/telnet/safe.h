/* safe: makes a server's bytes safe to show on a terminal, a stream at a
 * time.
 *
 * What may pass is libnk's rule (nk_text_safe_len in nk/text.h): printable
 * ASCII, TAB, and, when the terminal decodes UTF-8, every valid UTF-8
 * character but C1 and bidirectional controls (in another locale, the
 * bytes 0xA0..0xFF). Lines are the telnet tool's own: LF passes, a CR
 * before LF is dropped (the LF ends the line). What is shown escaped, so
 * the server cannot move the cursor, change colours, retitle the window,
 * reorder the line or answer back through the terminal: the other C0
 * controls and DEL in the caret notation of terminals (ESC as ^[, BS as
 * ^H, DEL as ^?), a CR in the middle of a line as ^M (one at the start of
 * a line, as in LF CR, is dropped), and every other byte the rule stops
 * as \xhh. In character mode (edits) CR and BS pass too: the server's
 * echo moves the cursor within the line it edits. */
#ifndef NK_TELNET_SAFE_H
#define NK_TELNET_SAFE_H

#include <stddef.h>

struct safe {
	int utf8;               /* the terminal decodes UTF-8 */
	int raw;                /* --raw-output: pass every byte */
	int edits;              /* the server echoes and edits the line
	                         * (character mode): CR and BS pass */
	unsigned char u[4];     /* a UTF-8 character in progress, and the
	                         * byte that may break it */
	size_t un;
	int cr;                 /* a CR is held until the next byte decides */
	int midline;            /* the last byte shown was not a newline */
};

/* Room safe_text needs in out for n input bytes. */
#define SAFE_MAX(n) (4 * (n) + 16)

/* Filters n bytes into out (SAFE_MAX(n) bytes); returns the count. A
 * character split across calls comes out whole with the later call. */
size_t safe_text(struct safe *s, const unsigned char *in, size_t n, char *out);

/* At the end of the stream: shows what is still held (an unfinished UTF-8
 * character as \xhh, a last CR as ^M). out needs SAFE_MAX(0) bytes. */
size_t safe_end(struct safe *s, char *out);

#endif
