// SPDX-License-Identifier: GPL-2.0
/* kabiguardctl: opening the family, option and error handling. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

const char *ctl_prog = "kabiguardctl";
const struct ctl_cmd *ctl_cur;

void ctl_cmd_usage(const struct ctl_cmd *cmd, bool to_stderr)
{
	fprintf(to_stderr ? stderr : stdout, "Usage: %s [-j] %s%s%s\n",
		ctl_prog, cmd->name, *cmd->args ? " " : "", cmd->args);
}

int ctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ctl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ctl_cur)
		ctl_cmd_usage(ctl_cur, true);
	return CTL_EXIT_USAGE;
}

int ctl_common_opt(int opt)
{
	switch (opt) {
	case 'j':
		out_set_json(true);
		return -1;
	case 'h':
		ctl_cmd_usage(ctl_cur, false);
		return CTL_EXIT_OK;
	default:
		/* getopt_long() already said what was wrong. */
		ctl_cmd_usage(ctl_cur, true);
		return CTL_EXIT_USAGE;
	}
}

int ctl_no_args(int argc, char **argv)
{
	static const struct option longopts[] = { CTL_COMMON_LONGOPTS };
	int opt, ret;

	while ((opt = getopt_long(argc, argv, CTL_COMMON_SHORTOPTS, longopts,
				  NULL)) != -1) {
		ret = ctl_common_opt(opt);
		if (ret >= 0)
			return ret;
	}
	if (optind < argc)
		return ctl_usage_error("%s takes no arguments", ctl_cur->name);
	return -1;
}

/* kgc_explain()'s class is the exit status (ctl.h's CTL_EXIT_*). */
static int ctl_fail(struct kgc_client *c, int err, enum kgc_request req,
		    const char *what)
{
	char msg[1024];
	int code = kgc_explain(c, err, req, msg, sizeof(msg));

	fprintf(stderr, "%s: %s%s%s\n", ctl_prog, what ? what : "",
		what ? ": " : "", msg);
	return code;
}

int ctl_open(struct kgc_client **c)
{
	int ret = kgc_open(c);

	return ret ? ctl_fail(NULL, ret, KGC_REQ_OPEN, NULL) : 0;
}

int ctl_open_events(struct kgc_client **c)
{
	int ret = kgc_events_open(c);

	return ret ? ctl_fail(NULL, ret, KGC_REQ_EVENTS, NULL) : 0;
}

int ctl_kernel_error(struct kgc_client *c, int err, const char *what)
{
	return ctl_fail(c, err, KGC_REQ_COMMAND, what);
}
