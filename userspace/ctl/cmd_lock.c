// SPDX-License-Identifier: GPL-2.0
/* kabiguardctl lock: seal policy and mode until reboot. */
#include "ctl.h"

int cmd_lock(int argc, char **argv)
{
	struct kgc_client *c;
	int ret;

	ret = ctl_no_args(argc, argv);
	if (ret >= 0)
		return ret;
	ret = ctl_open(&c);
	if (ret)
		return ret;
	ret = kgc_cmd_lock(c);
	if (ret)
		ret = ctl_kernel_error(c, ret, "lock");
	kgc_close(c);
	return ret;
}
