/* -b, -c and -j: curl 7.88's cookie options over libnk's engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"
#include "cookies.h"

void
cookies_arg(struct cookies *ck, const char *arg)
{
	if (arg[0] == '@' || !strchr(arg, '=')) {
		strv_add(&ck->files, arg + (arg[0] == '@'));
		return;
	}
	size_t old = ck->string ? strlen(ck->string) : 0;
	char *s = realloc(ck->string, old + strlen(arg) + 2);
	if (!s)
		exit(tool_fail(NK_ERR_OUT_OF_MEMORY, NULL));
	snprintf(s + old, strlen(arg) + 2, "%s%s", old ? ";" : "", arg);
	ck->string = s;
}

static nk_err
load_file(struct cookies *ck, const char *file, char *errmsg)
{
	FILE *fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	/* curl starts the engine with no cookies for a file it cannot open
	 * (-b "" is the usual way to say so). */
	if (!fp)
		return NK_OK;
	char *buf = NULL;
	size_t size = 0, n;
	char chunk[8192];
	FILE *mf = open_memstream(&buf, &size);
	nk_err e = mf ? NK_OK : NK_ERR_OUT_OF_MEMORY;
	while (!e && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		if (fwrite(chunk, 1, n, mf) != n)
			e = NK_ERR_OUT_OF_MEMORY;
	if (!e && ferror(fp))
		e = NK_ERR_READ_ERROR;
	if (mf && fclose(mf) != 0 && !e)
		e = NK_ERR_OUT_OF_MEMORY;
	if (fp != stdin)
		fclose(fp);
	if (!e)
		e = nk_cookie_load_buf(ck->jar, buf, size, (int64_t)time(NULL),
		                       errmsg);
	else
		snprintf(errmsg, NK_ERR_MSG_LEN, "cannot read cookie file %.200s",
		         file);
	free(buf);
	return e;
}

nk_err
cookies_open(struct cookies *ck, nk_cookie_jar **shared, char *errmsg)
{
	if (!ck->files.n && !ck->jar_path)
		return NK_OK;
	if (!*shared)
		*shared = nk_cookie_jar_new();
	ck->jar = *shared;
	if (!ck->jar) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
		return NK_ERR_OUT_OF_MEMORY;
	}
	nk_err e = NK_OK;
	for (size_t i = 0; i < ck->files.n && !e; i++)
		if (*ck->files.v[i])
			e = load_file(ck, ck->files.v[i], errmsg);
	if (!e && ck->junk)
		nk_cookie_junk_session(ck->jar);
	return e;
}

nk_err
cookies_close(struct cookies *ck, char *errmsg)
{
	nk_err e = NK_OK;
	if (ck->jar && ck->jar_path) {
		int64_t now = (int64_t)time(NULL);
		if (strcmp(ck->jar_path, "-") == 0) {
			char *text = nk_cookie_format(ck->jar, now);
			if (!text || fputs(text, stdout) == EOF)
				e = NK_ERR_WRITE_ERROR;
			free(text);
			if (e)
				snprintf(errmsg, NK_ERR_MSG_LEN, "writing cookies to "
				         "stdout: %s", strerror(errno));
		} else {
			e = nk_cookie_save(ck->jar, ck->jar_path, now, errmsg);
		}
	}
	ck->jar = NULL;
	strv_free(&ck->files);
	free(ck->string);
	ck->string = NULL;
	return e;
}
