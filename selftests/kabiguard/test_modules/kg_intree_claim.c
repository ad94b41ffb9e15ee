// SPDX-License-Identifier: GPL-2.0
/*
 * kg_intree_claim: an out-of-tree module that claims to be in-tree
 * (modinfo intree=Y, which kbuild writes only for modules built in the
 * kernel tree). The kernel believes it and does not taint it "O"; it is
 * unsigned, so a "signed-only in-tree" rule must still refuse it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_exporter.h"

static int __init kg_intree_claim_init(void)
{
	pr_info("loaded, sum %d\n", kg_plain_a());
	return 0;
}
module_init(kg_intree_claim_init);

static void __exit kg_intree_claim_exit(void)
{
}
module_exit(kg_intree_claim_exit);

MODULE_INFO(intree, "Y");
MODULE_DESCRIPTION("kabiguard selftest: unsigned, claims intree=Y");
MODULE_LICENSE("GPL");
