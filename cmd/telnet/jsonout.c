/* jsonout: the --json lines of nk telnet (see jsonout.h). Strings from
 * the network or the user go through text_json, so each line is valid
 * JSON whatever they hold. */
#include "jsonout.h"
#include "text.h"

static void
json_error(FILE *out, nk_err e, const char *msg)
{
	fputs(", \"error\": ", out);
	if (!e) {
		fputs("null", out);
		return;
	}
	fprintf(out, "{\"code\": %d, \"name\": ", (int)e);
	text_json(out, nk_err_name(e));
	fputs(", \"message\": ", out);
	text_json(out, msg && *msg ? msg : nk_err_name(e));
	putc('}', out);
}

/* "address" and "address_port": the peer's, or null before a connection. */
static void
json_peer(FILE *out, const nk_conn *c)
{
	fputs(", \"address\": ", out);
	if (!c) {
		fputs("null, \"address_port\": null", out);
		return;
	}
	text_json(out, nk_conn_peer_str(c));
	int p = nk_conn_peer_port(c);
	if (p > 0)
		fprintf(out, ", \"address_port\": %d", p);
	else
		fputs(", \"address_port\": null", out);
}

void
json_zero(FILE *out, const char *host, int port, const nk_conn *c,
          nk_err e, const char *err, nk_time elapsed, int exit_code)
{
	fputs("{\"host\": ", out);
	text_json(out, host);
	fprintf(out, ", \"port\": %d", port);
	json_peer(out, c);
	fprintf(out, ", \"open\": %s, \"exit_code\": %d", c ? "true" : "false",
	        exit_code);
	json_error(out, e, err);
	fprintf(out, ", \"elapsed_ms\": %.3f}\n", (double)elapsed / 1000.0);
	fflush(out);
}

void
json_session(FILE *out, const struct session *s, int exit_code)
{
	fputs("{\"host\": ", out);
	text_json(out, s->host);
	if (s->port > 0)
		fprintf(out, ", \"port\": %d", s->port);
	else
		fputs(", \"port\": null", out);
	json_peer(out, s->conn);
	fprintf(out, ", \"tls\": %s, \"bytes_sent\": %llu, "
	        "\"bytes_received\": %llu, \"ended\": ",
	        s->tls ? "true" : "false",
	        (unsigned long long)nk_conn_bytes_out(s->conn),
	        (unsigned long long)nk_conn_bytes_in(s->conn));
	text_json(out, s->ended ? s->ended : "closed");
	fprintf(out, ", \"exit_code\": %d", exit_code);
	json_error(out, s->end_err, s->end_msg);
	fprintf(out, ", \"elapsed_ms\": %.3f}\n",
	        (double)(nk_now() - s->start) / 1000.0);
	fflush(out);
}
