/* libnk telnet: the TELNET protocol (RFC 854 NVT and commands, RFC 855
 * option negotiation) as a pure state machine over byte buffers. It does no
 * I/O, never blocks, and allocates only in nk_telnet_new: every call does a
 * bounded amount of work per input byte, whatever the peer sends.
 *
 * Bytes from the server go through nk_telnet_recv, which returns the
 * application data (commands removed, IAC IAC made 0xFF, CR NUL made CR),
 * queues the replies to send back (nk_telnet_output) and records what
 * happened (nk_telnet_next_event). Bytes the user types go through
 * nk_telnet_encode (0xFF doubled, CR NUL for a bare CR). Negotiation
 * follows RFC 1143's Q method, so no request is ever answered twice and
 * two peers can never answer each other in a loop.
 *
 * Options nk agrees to: ECHO (RFC 857) and SUPPRESS-GO-AHEAD (RFC 858) on
 * the server's side; SUPPRESS-GO-AHEAD on ours; TERMINAL-TYPE (RFC 1091)
 * when a terminal name is configured; NAWS (RFC 1073) when a window size
 * is; BINARY (RFC 856) both ways when configured. Everything else is
 * refused (DONT / WONT). */
#ifndef NK_TELNET_H
#define NK_TELNET_H

#include "nk/defs.h"
#include "nk/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Commands (RFC 854). */
#define NK_TELNET_SE   240
#define NK_TELNET_NOP  241
#define NK_TELNET_DM   242
#define NK_TELNET_BRK  243
#define NK_TELNET_IP   244
#define NK_TELNET_AO   245
#define NK_TELNET_AYT  246
#define NK_TELNET_EC   247
#define NK_TELNET_EL   248
#define NK_TELNET_GA   249
#define NK_TELNET_SB   250
#define NK_TELNET_WILL 251
#define NK_TELNET_WONT 252
#define NK_TELNET_DO   253
#define NK_TELNET_DONT 254
#define NK_TELNET_IAC  255

/* Option codes nk knows by name. */
#define NK_TELNET_OPT_BINARY 0
#define NK_TELNET_OPT_ECHO   1
#define NK_TELNET_OPT_SGA    3
#define NK_TELNET_OPT_TTYPE  24
#define NK_TELNET_OPT_NAWS   31

/* A subnegotiation longer than this (option byte excluded) is dropped
 * whole; nk only needs TERMINAL-TYPE SEND, one byte. */
#define NK_TELNET_SB_MAX 64
/* RFC 1091: a terminal type name has at most 40 characters. */
#define NK_TELNET_TERM_MAX 40

typedef struct nk_telnet nk_telnet;

/* Zero-initialise, then set what applies. Copied by nk_telnet_new. */
typedef struct nk_telnet_config {
	const char *term;       /* TERMINAL-TYPE answer ("xterm"), sent as
	                         * given: 1..40 printable ASCII characters.
	                         * NULL or "": the option is refused */
	int naws;               /* agree to NAWS and report width x height */
	unsigned width, height; /* columns and rows, clamped to 65535 */
	int binary;             /* agree to BINARY in both directions */
	/* The stream is telnet (both ways) only if the server opens it
	 * with IAC followed by WILL, WONT, DO, DONT or SB, before any user
	 * data is encoded; otherwise every byte passes through unchanged
	 * for good, whatever it holds, so a binary stream or an echo of
	 * ours is never taken for negotiation. For ports where the server
	 * may not speak telnet at all. 0: telnet from the first byte. */
	int auto_detect;
} nk_telnet_config;

/* What nk_telnet_next_event reports. */
typedef enum nk_telnet_event_type {
	NK_TELNET_EV_RECV = 1,   /* the server sent cmd opt (WILL..DONT) */
	NK_TELNET_EV_SEND,       /* a reply cmd opt was queued for sending */
	NK_TELNET_EV_OPTION,     /* opt is now on (or off) on one side */
	NK_TELNET_EV_SB_RECV,    /* a subnegotiation for opt arrived */
	NK_TELNET_EV_SB_SEND,    /* a subnegotiation for opt was queued */
	NK_TELNET_EV_SB_DROPPED, /* a subnegotiation for opt was too long or
	                          * cut short by a command, and was ignored */
	NK_TELNET_EV_COMMAND,    /* another command arrived: cmd is NOP, GA,
	                          * AYT, DM, ... (nk acts on none of them) */
	NK_TELNET_EV_START,      /* auto_detect: the server negotiated, the
	                          * stream is telnet from here on */
} nk_telnet_event_type;

typedef struct nk_telnet_event {
	nk_telnet_event_type type;
	unsigned char cmd;      /* RECV, SEND, COMMAND */
	unsigned char opt;      /* RECV, SEND, OPTION, SB_* */
	unsigned char remote;   /* OPTION: 1 for the server's side of opt
	                         * (it WILL), 0 for ours (we WILL) */
	unsigned char on;       /* OPTION: the new state */
} nk_telnet_event;

/* Makes a machine from cfg (copied; NULL means all zero). Free it with
 * nk_telnet_free. Errors: NK_ERR_BAD_FUNCTION_ARGUMENT (term too long or
 * not printable ASCII), NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_telnet_new(const nk_telnet_config *cfg, nk_telnet **out,
                            char *errmsg);

/* NULL is a no-op. */
NK_API void nk_telnet_free(nk_telnet *t);

/* Queues our opening requests, as telnet(1) does on port 23: DO
 * SUPPRESS-GO-AHEAD, and WILL TERMINAL-TYPE / WILL NAWS when configured.
 * Turns telnet processing on (ends auto_detect). Call it before the first
 * nk_telnet_recv. Errors: NK_ERR_BAD_FUNCTION_ARGUMENT if the output queue
 * has no room (it always has on a new machine). */
NK_API nk_err nk_telnet_offer(nk_telnet *t);

/* Feeds len bytes from the server. The application data among them go to
 * data, which must hold len + 1 bytes and not overlap in (one byte that
 * auto_detect held back at the end of the previous call can come out with
 * this one); *ndata is set to their count.
 *
 * Returns how many bytes of in were consumed. That is fewer than len only
 * when the reply queue or the event queue is nearly full: then drain both
 * (nk_telnet_output + nk_telnet_output_done, nk_telnet_next_event until it
 * returns 0) and call again with the rest. Any split of the input gives the
 * same result; a sequence cut at the end of one call goes on in the next. */
NK_API size_t nk_telnet_recv(nk_telnet *t, const void *in, size_t len,
                             void *data, size_t *ndata);

/* At the end of the server's stream: writes the byte auto_detect may still
 * hold (a lone 0xFF at the very end) to data and returns 1, else 0. A
 * telnet sequence left unfinished is dropped. */
NK_API size_t nk_telnet_recv_end(nk_telnet *t, void *data);

/* The bytes queued for the server (replies, subnegotiations), in order:
 * *len bytes at the returned pointer, valid until the next call on t.
 * Send them before any user data encoded after this point. */
NK_API const unsigned char *nk_telnet_output(const nk_telnet *t, size_t *len);

/* Drops the first n bytes of the output queue (they were sent). */
NK_API void nk_telnet_output_done(nk_telnet *t, size_t n);

/* Takes the oldest event into *ev: returns 1, or 0 when there is none. */
NK_API int nk_telnet_next_event(nk_telnet *t, nk_telnet_event *ev);

/* Encodes len bytes of user data for sending into out, which must hold
 * 2 * len + 1 bytes; returns the count written. Once telnet processing is
 * on: 0xFF becomes IAC IAC and, unless we send BINARY, a CR that is not
 * followed by LF (or NUL) gets a NUL after it (the NUL may come out at the
 * start of the next call). Before that (auto_detect): a plain copy, and
 * bytes encoded before any from the server end the detection for good. */
NK_API size_t nk_telnet_encode(nk_telnet *t, const void *in, size_t len,
                               void *out);

/* At the end of the user's data: writes the NUL a final bare CR still
 * needs to out and returns 1, else 0. */
NK_API size_t nk_telnet_encode_end(nk_telnet *t, void *out);

/* Records a new window size; when NAWS is on, queues the report (now, or as
 * soon as the output queue has room). Repeated changes are coalesced. */
NK_API void nk_telnet_set_size(nk_telnet *t, unsigned width,
                               unsigned height);

/* 1 when opt is on: remote = 1 asks about the server's side (did it agree
 * to WILL opt: remote ECHO means the server echoes, so the user's typing
 * should not be shown), remote = 0 about ours. */
NK_API int nk_telnet_enabled(const nk_telnet *t, int remote, int opt);

/* 1 once telnet processing is on (always, without auto_detect). */
NK_API int nk_telnet_active(const nk_telnet *t);

/* Names for traces: "WILL", "ECHO", "NAWS"; NULL for codes without one. */
NK_API const char *nk_telnet_cmd_name(int cmd);
NK_API const char *nk_telnet_opt_name(int opt);

#ifdef __cplusplus
}
#endif

#endif
