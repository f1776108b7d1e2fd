/* lineedit: the few line-editor calls nk-telnet makes, the same over GNU
 * readline (the default build) and libedit (make READLINE=edit). Only
 * this file's .c includes either library's headers.
 *
 * The editor runs through its callback interface inside the tool's poll
 * loop: the loop calls le_read_char when the terminal has a byte, the
 * editor fetches it through the getc function given to le_start, and calls
 * the line function with each finished line. */
#ifndef NK_TELNET_LINEEDIT_H
#define NK_TELNET_LINEEDIT_H

#include <stdio.h>

/* Called with each line the user finishes (malloc'd: the callee frees
 * it), or NULL when the user ends input (Ctrl-D on an empty line). */
typedef void le_line_fn(char *line);

/* Puts the terminal in editing mode and shows an empty prompt. getc
 * returns the next input byte or EOF. When TAB completes (le_tab_completes)
 * it completes the first word from `words` (NULL-terminated, borrowed for
 * the editor's life). Returns 0, or -1 if the editor could not start. */
int le_start(int (*getc_fn)(FILE *), le_line_fn *on_line,
             const char *const *words);

/* Restores the terminal; safe to call twice. */
void le_stop(void);

/* Lets the editor take one input byte (through getc). */
void le_read_char(void);

/* Takes the prompt and input off the screen, leaving the cursor at the
 * start of the line where the prompt began. */
void le_hide(void);

/* Draws prompt and input again, from the start of the cursor's line. */
void le_show(const char *prompt);

/* Sets the prompt the editor draws next, without drawing (for use inside
 * the line function, after which the editor draws it). */
void le_set_prompt(const char *prompt);

/* A copy of the input line (malloc'd) and the cursor position in it. */
char *le_get_line(int *point);

/* Replaces the input line ("" empties it) and puts the cursor at point
 * (libedit: at the end). Does not redraw. */
void le_set_line(const char *text, int point);

/* TAB completes (the command prompt) or inserts a TAB (the session). */
void le_tab_completes(int on);

/* After SIGWINCH: the editor rereads the terminal size. */
void le_resize(void);

/* Around a job-control stop: give the terminal back, take it again. */
void le_suspend(void);
void le_resume(void);

void le_history_add(const char *line);
void le_history_load(const char *path);
/* Writes the history (at most the last 500 lines); -1 on failure. */
int le_history_save(const char *path);

/* "GNU readline 8.2" or "libedit". */
const char *le_version(void);

#endif
