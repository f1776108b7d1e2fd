/* ui: nk telnet at a terminal, over the line editor (lineedit.h): the
 * session's face (struct session_ui) for main to hand to the session when
 * stdin and stdout are terminals. One session per process: the UI keeps
 * its state in ui.c and frees it in stop. */
#ifndef NK_TELNET_UI_H
#define NK_TELNET_UI_H

#include "session.h"

extern const struct session_ui tty_ui;

#endif
