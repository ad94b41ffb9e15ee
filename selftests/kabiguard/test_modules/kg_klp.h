/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A livepatch relocation, as kg_livepatch and kg_klp_hidden carry it once
 * refs_test has patched their file: the symbol below, named as the
 * livepatch ELF format names it (".klp.sym.OBJ.NAME,POS"; gas keeps a
 * quoted name as it is), gets st_shndx SHN_LIVEPATCH, and the relocation
 * section of kg_klp_slot's section, which holds only this one relocation,
 * becomes ".klp.rela.vmlinux..." with SHF_RELA_LIVEPATCH. The loader's
 * klp_apply_section_relocs() then resolves it through kallsyms to
 * kallsyms_lookup_name(), which no module may import, before
 * MODULE_STATE_COMING. As built, the symbol is an ordinary weak import that
 * nothing exports (modpost accepts it; value 0).
 *
 * Nothing ever calls through the pointer: the "resolved" parameter only
 * says whether the loader filled it in, so that the test knows the crafted
 * relocation really was applied.
 */
#ifndef KG_KLP_H
#define KG_KLP_H

#include <linux/module.h>
#include <linux/moduleparam.h>

#define KG_KLP_SYM		".klp.sym.vmlinux.kallsyms_lookup_name,0"
#define KG_KLP_SLOT_SECTION	"kg_klp_reloc_slot_for_vmlinux"

extern char kg_klp_target[] asm("\"" KG_KLP_SYM "\"") __weak;

static void *kg_klp_slot __section(KG_KLP_SLOT_SECTION) __used = kg_klp_target;

static bool resolved;
module_param(resolved, bool, 0444);
MODULE_PARM_DESC(resolved, "the loader resolved the livepatch relocation");

static int __init kg_klp_init(void)
{
	resolved = READ_ONCE(kg_klp_slot) != NULL;
	pr_info("livepatch relocation %sresolved\n", resolved ? "" : "not ");
	return 0;
}

static void __exit kg_klp_exit(void)
{
}

module_init(kg_klp_init);
module_exit(kg_klp_exit);
MODULE_LICENSE("GPL");

#endif /* KG_KLP_H */
