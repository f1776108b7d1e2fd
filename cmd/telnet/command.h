/* command: the commands of the escape prompt (nk>) of nk telnet at a
 * terminal: close, crlf, help, lf, quit, send, status. They act on the
 * session through session.h and answer through session_status; they know
 * nothing of the screen. */
#ifndef NK_TELNET_COMMAND_H
#define NK_TELNET_COMMAND_H

#include "session.h"

/* What the UI does after a command. */
enum command_next {
	COMMAND_BACK,   /* back to the session, as in telnet(1) */
	COMMAND_CLOSE,  /* close and exit: the UI ends the session */
};

/* The command names TAB completes at nk>, NULL-terminated. */
extern const char *const command_words[];

/* Runs one line typed at nk>: a command, possibly abbreviated, and its
 * argument. An empty line does nothing; an unknown or ambiguous command
 * is said, with COMMAND_BACK. Blanks at the end of line are cut in place. */
enum command_next command_run(struct session *s, char *line);

#endif
