// SPDX-License-Identifier: GPL-2.0
/*
 * kg_exporter: exports kg_plain_a and kg_plain_b without a namespace (in
 * the plain export table) and kg_ns_a and kg_ns_b in the KABIGUARD_TEST
 * namespace (in the GPL table), so both of a module's tables are used on
 * kernels that have two (up to v7.0; later ones flag GPL-only entries).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_exporter.h"
#include "kg_ns.h"

int kg_plain_a(void)
{
	return KG_PLAIN_A_VALUE;
}
EXPORT_SYMBOL(kg_plain_a);

int kg_plain_b(void)
{
	return KG_PLAIN_B_VALUE;
}
EXPORT_SYMBOL(kg_plain_b);

int kg_ns_a(void)
{
	return KG_NS_A_VALUE;
}

/* Not EXPORT_SYMBOL_*() itself: kg_ns.h makes the namespace the same everywhere. */
KG_EXPORT_NS_GPL(kg_ns_a, KABIGUARD_TEST);

int kg_ns_b(void)
{
	return KG_NS_B_VALUE;
}

KG_EXPORT_NS_GPL(kg_ns_b, KABIGUARD_TEST);

static int __init kg_exporter_init(void)
{
	pr_info("loaded\n");
	return 0;
}
module_init(kg_exporter_init);

static void __exit kg_exporter_exit(void)
{
}
module_exit(kg_exporter_exit);

MODULE_DESCRIPTION("kabiguard selftest: exports plain and namespaced symbols");
MODULE_LICENSE("GPL");
