/* tls pemkey: the cipher names a traditional encrypted PEM key needs.
 *
 * Such a key ("Proc-Type: 4,ENCRYPTED") names its cipher in a DEK-Info
 * header, which OpenSSL looks up in its legacy table of cipher names
 * (EVP_get_cipherbyname). Filling that table at start-up, and OpenSSL
 * 3.0 copying every name in it into its name map at the first fetch,
 * cost 2.3 million instructions, 12 % of a small https GET
 * (docs/BENCHMARKS.md), so where libnk has OpenSSL to itself
 * (nk_tls_ossl_linked_in) it starts OpenSSL without it. A key file is
 * then read first for the ciphers its blocks name, and each one the
 * providers offer is added to the table under the name the file uses. */
#include <pthread.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "tls/tls_int.h"

/* The cipher named at the start of a DEK-Info value ("AES-256-CBC,IV"). */
static void
add_cipher(const char *value)
{
	char name[64];
	value += strspn(value, " \t");
	size_t l = strcspn(value, ",\r\n");
	if (l == 0 || l >= sizeof name)
		return;
	memcpy(name, value, l);
	name[l] = '\0';
	/* Contexts made in several threads at once add each name once. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&lock);
	if (!EVP_get_cipherbyname(name)) {
		/* Under the name the file uses, not through EVP_add_cipher:
		 * that files a cipher under its legacy NID, which fetched
		 * ciphers learn from this very table. The table keeps both
		 * pointers for the rest of the process, as it keeps OpenSSL's
		 * own ciphers. */
		EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
		char *kept = c ? OPENSSL_strdup(name) : NULL;
		if (!kept || !OBJ_NAME_add(kept, OBJ_NAME_TYPE_CIPHER_METH,
		                           (const char *)c)) {
			OPENSSL_free(kept);
			EVP_CIPHER_free(c);
		}
	}
	pthread_mutex_unlock(&lock);
}

void
nk_tls_pem_ciphers(const char *path)
{
	if (!nk_tls_ossl_linked_in())
		return;   /* OpenSSL's start-up filled the table */
	BIO *b = BIO_new_file(path, "r");
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;
	while (b && PEM_read_bio(b, &name, &header, &data, &len) == 1) {
		const char *dek = header ? strstr(header, "DEK-Info:") : NULL;
		if (dek)
			add_cipher(dek + strlen("DEK-Info:"));
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
	}
	BIO_free(b);
	/* The end of the file reads as "no start line"; what is wrong
	 * with the file is for the load that follows to say. */
	ERR_clear_error();
}
