// SPDX-License-Identifier: GPL-2.0
/*
 * kg_consumer_restricted: imports kg_restricted_a, which
 * kg_restricted_exporter exports to this module only; as the loader wants,
 * without importing its "module:" namespace, except on kernels that have
 * the export macro but treat the namespace as any other (see kg_ns.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_exporter.h"
#include "kg_ns.h"

static int __init kg_consumer_restricted_init(void)
{
	int sum = kg_restricted_a();

	if (sum != KG_RESTRICTED_A_VALUE) {
		pr_err("unexpected sum %d\n", sum);
		return -EINVAL;
	}
	pr_info("loaded, sum %d\n", sum);
	return 0;
}
module_init(kg_consumer_restricted_init);

static void __exit kg_consumer_restricted_exit(void)
{
}
module_exit(kg_consumer_restricted_exit);

MODULE_DESCRIPTION("kabiguard selftest: imports a symbol exported to it only");
MODULE_LICENSE("GPL");
KG_IMPORT_FOR_MODULES(KG_RESTRICTED_TO);
