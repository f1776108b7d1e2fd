/* base64: nk_base64 gives RFC 4648's test vectors, and the very bytes
 * OpenSSL's EVP_EncodeBlock gave for every length the layers used it
 * for before (Basic credentials, Digest's cnonce, WebSocket keys and
 * accept values, certificate pins). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "core/internal.h"

static void
test_rfc4648(void **state)
{
	(void)state;
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char out[16];
		memset(out, 'x', sizeof out);
		size_t n = nk_base64(v[i][0], strlen(v[i][0]), out);
		assert_string_equal(out, v[i][1]);
		assert_int_equal(n, strlen(v[i][1]));
		assert_int_equal(n, NK_BASE64_LEN(strlen(v[i][0])));
	}
}

/* Every byte value in every position, at lengths 0 to 64: what OpenSSL
 * wrote, to the byte, with the NUL where it put it. */
static void
test_as_openssl(void **state)
{
	(void)state;
	unsigned char in[64];
	for (size_t len = 0; len <= sizeof in; len++) {
		for (unsigned seed = 0; seed < 256; seed += 37) {
			for (size_t i = 0; i < len; i++)
				in[i] = (unsigned char)(seed + i * 101);
			char mine[96], theirs[96];
			memset(mine, 'x', sizeof mine);
			memset(theirs, 'x', sizeof theirs);
			size_t n = nk_base64(in, len, mine);
			int m = EVP_EncodeBlock((unsigned char *)theirs, in, (int)len);
			assert_int_equal(n, (size_t)m);
			assert_memory_equal(mine, theirs, sizeof mine);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648),
		cmocka_unit_test(test_as_openssl),
	};
	return cmocka_run_group_tests_name("base64", tests, NULL, NULL);
}
