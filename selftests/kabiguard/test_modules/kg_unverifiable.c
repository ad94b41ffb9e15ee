// SPDX-License-Identifier: GPL-2.0
/*
 * kg_unverifiable: three weak imports that nothing exports, which refs_test
 * turns, in the file it loads, into references no policy can account for:
 *  - kg_unv_nameless loses its name and gets a value: a nameless undefined
 *    symbol the loader leaves with the file's value;
 *  - kg_unv_named keeps its name and gets a value no export of that name
 *    has;
 *  - kg_unv_abs becomes an absolute (SHN_ABS) symbol holding the address
 *    of the kernel's _stext.
 * The loader uses those values for the relocations of kg_unv_refs; nothing
 * ever reads through them.
 */
#include <linux/module.h>
#include "kg_unverifiable.h"

static void *kg_unv_refs[] __used = {
	kg_unv_nameless, kg_unv_named, kg_unv_abs,
};

static int __init kg_unv_init(void)
{
	return 0;
}

static void __exit kg_unv_exit(void)
{
}

module_init(kg_unv_init);
module_exit(kg_unv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kabiguard selftest: references no policy can account for");
