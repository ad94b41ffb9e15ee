// SPDX-License-Identifier: GPL-2.0
/* kabiguardctl lock: seal policy and mode until reboot. */
#include "ctl.h"

int cmd_lock(int argc, char **argv)
{
	static const struct option longopts[] = { CTL_COMMON_LONGOPTS };
	struct kg_client *c;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, CTL_COMMON_SHORTOPTS, longopts,
				  NULL)) != -1) {
		ret = ctl_common_opt(opt);
		if (ret >= 0)
			return ret;
	}
	if (optind < argc)
		return ctl_usage_error("lock takes no arguments");
	ret = ctl_open(&c);
	if (ret)
		return ret;
	ret = kg_lock(c);
	if (ret)
		ret = ctl_kernel_error(c, ret, "lock");
	kg_close(c);
	return ret;
}
