// SPDX-License-Identifier: GPL-2.0
/* kabiguardctl mode [off|audit|enforce]: without an argument, show it. */
#include <errno.h>
#include <stdio.h>

#include "ctl.h"

int cmd_mode(int argc, char **argv)
{
	static const struct option longopts[] = { CTL_COMMON_LONGOPTS };
	enum kabiguard_mode mode;
	struct kgc_client *c;
	struct kgc_status st;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, CTL_COMMON_SHORTOPTS, longopts,
				  NULL)) != -1) {
		ret = ctl_common_opt(opt);
		if (ret >= 0)
			return ret;
	}
	if (argc - optind > 1)
		return ctl_usage_error("too many arguments");
	if (optind < argc && kgc_mode_parse(argv[optind], &mode))
		return ctl_usage_error("unknown mode '%s' (expected off, audit "
				       "or enforce)", argv[optind]);

	ret = ctl_open(&c);
	if (ret)
		return ret;
	if (optind < argc) {
		ret = kgc_cmd_set_mode(c, mode);
		if (ret == -ENOENT && !*kgc_extack(c)) {
			fprintf(stderr, "%s: mode: no policy committed yet; load "
				"one before enforcing\n", ctl_prog);
			ret = CTL_EXIT_ERR;
		} else if (ret) {
			ret = ctl_kernel_error(c, ret, "mode");
		}
		goto out;
	}
	ret = kgc_cmd_get_status(c, &st);
	if (ret) {
		ret = ctl_kernel_error(c, ret, "mode");
		goto out;
	}
	out_obj_begin(NULL);
	out_str("mode", "%s\n", kgc_mode_name(st.mode));
	out_obj_end();
	out_flush();
out:
	kgc_close(c);
	return ret;
}
