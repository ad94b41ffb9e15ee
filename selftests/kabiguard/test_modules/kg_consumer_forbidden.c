// SPDX-License-Identifier: GPL-2.0
/*
 * kg_consumer_forbidden: imports kg_plain_a and kg_plain_b.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_exporter.h"

static int __init kg_consumer_forbidden_init(void)
{
	int sum = kg_plain_a() + kg_plain_b();

	if (sum != KG_PLAIN_A_VALUE + KG_PLAIN_B_VALUE) {
		pr_err("unexpected sum %d\n", sum);
		return -EINVAL;
	}
	pr_info("loaded, sum %d\n", sum);
	return 0;
}
module_init(kg_consumer_forbidden_init);

static void __exit kg_consumer_forbidden_exit(void)
{
}
module_exit(kg_consumer_forbidden_exit);

MODULE_DESCRIPTION("kabiguard selftest: imports kg_plain_a and kg_plain_b");
MODULE_LICENSE("GPL");
