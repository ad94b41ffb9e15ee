// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguard: checks every module load's imports against a kABI whitelist.
 * This file only wires module init and exit; see guard.h for the parts.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include "guard.h"
#include "../include/kabiguard/names.h"

static const char * const kg_mode_names[] = KG_MODE_NAMES;
static_assert(ARRAY_SIZE(kg_mode_names) == __KABIGUARD_MODE_MAX);

/* Audit by default: a first load must never lock an admin out of modules. */
static enum kabiguard_mode kg_initial_mode = KABIGUARD_MODE_AUDIT;

const char *kg_mode_name(enum kabiguard_mode mode)
{
	return mode <= KABIGUARD_MODE_MAX ? kg_mode_names[mode] : "?";
}

static int kg_mode_param_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(kg_mode_names, val);

	if (i < 0) {
		pr_err("mode must be off, audit or enforce\n");
		return -EINVAL;
	}
	kg_initial_mode = i;
	return 0;
}

static int kg_mode_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", kg_mode_name(kg_state_mode()));
}

static const struct kernel_param_ops kg_mode_param_ops = {
	.set = kg_mode_param_set,
	.get = kg_mode_param_get,
};

module_param_cb(mode, &kg_mode_param_ops, NULL, 0444);
MODULE_PARM_DESC(mode,
		 "initial mode: off, audit (default) or enforce (denies every load until a policy is committed)");

static int __init kg_init(void)
{
	int ret;

	ret = kg_ksyms_init();
	if (ret) {
		pr_err("cannot verify the kernel's export tables, refusing to load\n");
		return ret;
	}
	ret = kg_state_init(kg_initial_mode);
	if (ret)
		goto exit_ksyms;
	ret = kg_ring_init();
	if (ret)
		goto exit_state;
	ret = kg_netlink_init();
	if (ret)
		goto exit_ring;
	ret = kg_requester_init();
	if (ret)
		goto exit_netlink;
	ret = kg_verdict_init();
	if (ret)
		goto exit_requester;
	pr_info("loaded, mode %s, max_rules %u\n",
		kg_mode_name(kg_initial_mode), kg_max_rules);
	return 0;

exit_requester:
	kg_requester_exit();
exit_netlink:
	kg_netlink_exit();
exit_ring:
	kg_ring_exit();
exit_state:
	kg_state_exit();
exit_ksyms:
	kg_ksyms_exit();
	return ret;
}

static void __exit kg_exit(void)
{
	kg_verdict_exit();
	kg_requester_exit();
	/* SCAN logs verdicts too: no command may rearm the summary work. */
	kg_netlink_exit();
	kg_log_limit_exit();
	kg_ring_exit();
	kg_state_exit();
	kg_ksyms_exit();
	pr_info("unloaded\n");
}

module_init(kg_init);
module_exit(kg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Runtime kABI guard: checks module imports against a whitelist");
MODULE_VERSION(KABIGUARD_VERSION);
