// SPDX-License-Identifier: GPL-2.0
/*
 * kg_restricted_exporter: exports kg_restricted_a to kg_consumer_restricted
 * only (namespace "module:kg_consumer_restricted"). Built only on kernels
 * with module-restricted exports (see kg_ns.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_exporter.h"
#include "kg_ns.h"

int kg_restricted_a(void)
{
	return KG_RESTRICTED_A_VALUE;
}

/* Not EXPORT_SYMBOL_*() itself: kg_ns.h makes the namespace the same everywhere. */
KG_EXPORT_FOR_MODULES(kg_restricted_a, KG_RESTRICTED_TO);

static int __init kg_restricted_exporter_init(void)
{
	pr_info("loaded\n");
	return 0;
}
module_init(kg_restricted_exporter_init);

static void __exit kg_restricted_exporter_exit(void)
{
}
module_exit(kg_restricted_exporter_exit);

MODULE_DESCRIPTION("kabiguard selftest: exports a symbol to one module only");
MODULE_LICENSE("GPL");
