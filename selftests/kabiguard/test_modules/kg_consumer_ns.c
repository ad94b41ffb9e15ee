// SPDX-License-Identifier: GPL-2.0
/*
 * kg_consumer_ns: imports kg_ns_a from namespace KABIGUARD_TEST.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_exporter.h"
#include "kg_ns.h"

static int __init kg_consumer_ns_init(void)
{
	int sum = kg_ns_a();

	if (sum != KG_NS_A_VALUE) {
		pr_err("unexpected sum %d\n", sum);
		return -EINVAL;
	}
	pr_info("loaded, sum %d\n", sum);
	return 0;
}
module_init(kg_consumer_ns_init);

static void __exit kg_consumer_ns_exit(void)
{
}
module_exit(kg_consumer_ns_exit);

MODULE_DESCRIPTION("kabiguard selftest: imports kg_ns_a from namespace KABIGUARD_TEST");
MODULE_LICENSE("GPL");
KG_IMPORT_NS(KABIGUARD_TEST);
