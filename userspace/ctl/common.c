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

static int ctl_open_err(int ret)
{
	if (ret == -ENOENT) {
		fprintf(stderr, "kabiguard: module not loaded (no generic netlink "
			"family \"%s\"); load kabiguard.ko first\n",
			KABIGUARD_GENL_NAME);
		return CTL_EXIT_NOMOD;
	}
	fprintf(stderr, "%s: cannot talk to the kabiguard netlink family: %s\n",
		ctl_prog, strerror(-ret));
	return CTL_EXIT_ERR;
}

int ctl_open(struct kgc_client **c)
{
	int ret = kgc_open(c);

	return ret ? ctl_open_err(ret) : 0;
}

int ctl_open_events(struct kgc_client **c)
{
	int ret = kgc_events_open(c);

	if (ret == -EPERM) {
		fprintf(stderr, "%s: cannot join the \"%s\" group: permission "
			"denied: needs CAP_SYS_ADMIN in the initial user "
			"namespace\n", ctl_prog, KABIGUARD_MCGRP_EVENTS);
		return CTL_EXIT_PERM;
	}
	return ret ? ctl_open_err(ret) : 0;
}

int ctl_kernel_error(struct kgc_client *c, int err, const char *what)
{
	char extack[512], where[300] = "";
	const struct kgc_rule *bad = kgc_bad_rule(c);
	const char *msg = strerror(-err);
	struct kgc_status st;
	int code = CTL_EXIT_ERR;

	/* Asking for the status below would clear them. */
	snprintf(extack, sizeof(extack), "%s", kgc_extack(c));
	if (bad && bad->file)
		snprintf(where, sizeof(where), " (rule from %s:%u)", bad->file,
			 bad->line);

	if (err == -EPERM) {
		/* GET_STATUS is open to everyone: ask why. */
		if (!kgc_get_status(c, &st) && st.locked) {
			msg = "policy is locked until reboot";
			code = CTL_EXIT_LOCKED;
		} else {
			msg = "permission denied: needs CAP_SYS_MODULE in the "
			      "initial user namespace";
			code = CTL_EXIT_PERM;
		}
	} else if (err == -ENODEV) {
		/* lock raced rmmod: the module is going away. */
		msg = "kabiguard is being unloaded";
		code = CTL_EXIT_NOMOD;
	}
	fprintf(stderr, "%s: %s: %s%s%s%s\n", ctl_prog, what, msg,
		*extack ? ": " : "", extack, where);
	return code;
}
