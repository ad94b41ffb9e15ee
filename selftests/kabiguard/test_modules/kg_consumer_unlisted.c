// SPDX-License-Identifier: GPL-2.0
/*
 * kg_consumer_unlisted: imports kg_restricted_a, which
 * kg_restricted_exporter exports to kg_consumer_restricted only: an import
 * in a "module:" namespace that does not name its importer, for the
 * matcher's table (match_test). It imports that namespace explicitly, as
 * any other namespace, so that modpost and the loader accept it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_exporter.h"
#include "kg_ns.h"

static int __init kg_consumer_unlisted_init(void)
{
	int sum = kg_restricted_a();

	if (sum != KG_RESTRICTED_A_VALUE) {
		pr_err("unexpected sum %d\n", sum);
		return -EINVAL;
	}
	pr_info("loaded, sum %d\n", sum);
	return 0;
}
module_init(kg_consumer_unlisted_init);

static void __exit kg_consumer_unlisted_exit(void)
{
}
module_exit(kg_consumer_unlisted_exit);

MODULE_DESCRIPTION("kabiguard selftest: imports a symbol exported to another module");
MODULE_LICENSE("GPL");
MODULE_INFO(import_ns, "module:" KG_RESTRICTED_TO);
