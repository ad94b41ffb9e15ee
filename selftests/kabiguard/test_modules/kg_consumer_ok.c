// SPDX-License-Identifier: GPL-2.0
/*
 * kg_consumer_ok: imports kg_plain_a only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_exporter.h"

static int __init kg_consumer_ok_init(void)
{
	int sum = kg_plain_a();

	if (sum != KG_PLAIN_A_VALUE) {
		pr_err("unexpected sum %d\n", sum);
		return -EINVAL;
	}
	pr_info("loaded, sum %d\n", sum);
	return 0;
}
module_init(kg_consumer_ok_init);

static void __exit kg_consumer_ok_exit(void)
{
}
module_exit(kg_consumer_ok_exit);

MODULE_DESCRIPTION("kabiguard selftest: imports kg_plain_a only");
MODULE_LICENSE("GPL");
