/* placeholder so the build has a tool; replaced by the url tool */
#include <stdio.h>
#include "opts.h"
#include "tool.h"
static const struct opt opts[] = {
	{ 1, 0, "json", OPT_FLAG, NULL, NULL, "print one JSON object" },
};
static const struct tool tool = { "url", "parse a URL and show its parts", "[--json] URL [BASE]", opts, NK_ARRAY_LEN(opts) };
int main(int argc, char **argv)
{
	tool_init(argc, argv);
	struct optstate st = { 1, NULL, 0 };
	const char *arg;
	int id;
	while ((id = opt_next(&st, argc, argv, &tool, &arg)) != OPT_END)
		if (id == OPT_ERROR) return 2;
	return 0;
}
