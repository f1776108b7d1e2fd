/* Fuzz target: -J's reading of a Content-Disposition value
 * (cmd/http/outname.c, cd_filename).
 *
 * Input: the header value, as a server may send it (any bytes). It gives
 * no name, a name, or a one-line refusal (23). A name is one component a
 * file may have in the output directory: not empty, not "." or "..", no
 * '/' or '\', and terminal-safe UTF-8 (nk_text_safe_len takes it whole). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nk/err.h"
#include "nk/text.h"
#include "http.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	char errmsg[NK_ERR_MSG_LEN] = "";
	char *name = NULL;
	int e = cd_filename(in, size, &name, errmsg);
	if (e) {
		FUZZ_CHECK(e == NK_ERR_WRITE_ERROR || e == NK_ERR_OUT_OF_MEMORY,
		           "error %d", e);
		FUZZ_CHECK(name == NULL, "a name with an error");
		size_t n = strlen(errmsg);
		FUZZ_CHECK(n > 0, "no message");
		for (size_t i = 0, k; i < n; i += k) {
			k = nk_text_safe_len(errmsg + i, n - i, 0);
			FUZZ_CHECK(k > 0 && k != NK_TEXT_MORE,
			           "unsafe byte in the message: %s", errmsg);
		}
	} else if (name) {
		size_t n = strlen(name);
		FUZZ_CHECK(n > 0, "an empty name");
		FUZZ_CHECK(strcmp(name, ".") != 0 && strcmp(name, "..") != 0,
		           "a directory name");
		FUZZ_CHECK(!strpbrk(name, "/\\"), "a path: %s", name);
		for (size_t i = 0, k; i < n; i += k) {
			k = nk_text_safe_len(name + i, n - i, 0);
			FUZZ_CHECK(k > 0 && k != NK_TEXT_MORE, "unsafe name");
		}
	}
	free(name);
	free(in);
	return 0;
}
