/* config: curl's config file syntax (-K/--config, the default nkrc),
 * read into an argument vector for the same option parser as the command
 * line, so every option works in a file through one code path. */
#ifndef NK_HTTP_CONFIG_H
#define NK_HTTP_CONFIG_H

#include <stddef.h>

#include "opts.h"

/* One line's option word and value. */
struct config_tok {
	const char *opt;      /* points into the line; not NUL-terminated */
	size_t optlen;
	int dashed;           /* the word was written with its dashes */
	char *val;            /* unescaped value, malloc'd; "" when none */
	int has_val;          /* a value was written, if only "" */
	int unquoted_space;   /* more words followed an unquoted value */
};

/* Splits one line (without its newline) as curl does: 0 for a blank or
 * comment line, 1 with *tok filled, -1 out of memory. */
int config_split(const char *line, struct config_tok *tok);

/* In what config_read makes, "[host NAME]" becomes this argument and
 * then NAME: the options after it, to the next one or the end of the
 * file, are for URLs of host NAME alone. No command line can hold it. */
#define CONFIG_SECTION "\001host-section"

/* Reads the config file at path ("-": standard input) into *argv (*argc
 * entries, every string malloc'd; the caller frees them and the vector).
 * Unknown options and values given to flags are warned about and left
 * out, as curl does. 0, or NK_ERR_READ_ERROR (26) after a one-line
 * message; missing_ok: a file that cannot be opened gives 0 arguments. */
int config_read(const char *path, const struct tool *t, int missing_ok,
                int *argc, char ***argv);

/* The option of the tool's table with this long name (len bytes), or
 * NULL. */
const struct opt *config_opt(const struct tool *t, const char *name,
                             size_t len);

/* The default config file ($XDG_CONFIG_HOME/nk/nkrc, else ~/.nkrc), as
 * a malloc'd path, or NULL when neither variable gives one. */
char *config_default_path(void);

#endif
