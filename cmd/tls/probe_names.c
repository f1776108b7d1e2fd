/* probe names: what --probe offers one at a time (versions, groups,
 * signature algorithms, ALPN protocols), by name, and the verdicts read
 * the same way by the table, the JSON and the rules. */
#include "probe.h"

const char *const probe_version_names[PV_N] = {
	"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3",
};
const int probe_version_wire[PV_N] = {
	NK_TLS_1_0, NK_TLS_1_1, NK_TLS_1_2, NK_TLS_1_3,
};
/* RFC 8446 section 4.2.7 and RFC 7919: every group OpenSSL 3 has for key
 * exchange. */
const char *const probe_group_names[PROBE_NGROUPS] = {
	"X25519", "X448", "P-256", "P-384", "P-521",
	"ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192",
};
/* RFC 8446 section 4.2.3 and RFC 8422, SHA-1 last. */
const char *const probe_sigalg_names[PROBE_NSIGALGS] = {
	"ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384",
	"ecdsa_secp521r1_sha512", "ed25519", "ed448",
	"rsa_pss_pss_sha256", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512",
	"rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512",
	"rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512",
	"ecdsa_sha1", "rsa_pkcs1_sha1",
};
const char *const probe_alpn_names[PROBE_NALPN] = { "h2", "http/1.1" };

tri
probe_secure_reneg(const struct probe_result *res)
{
	for (int v = PV_12; v >= PV_10; v--)
		if (res->v[v].accepted == 1)
			return res->v[v].secure_reneg;
	return -1;
}
