// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the references of a module at MODULE_STATE_COMING, or the
 * imports of a live one whose imports userspace names.
 *
 * Until its init memory is freed, mod->kallsyms points at the module's full
 * symbol table, copied by the loader after it resolved every symbol and
 * applied every relocation. The pointer is only replaced after init by the
 * loading task, which is the one running the notifier, so the table and
 * its strings stay put while we read them without an RCU read-side
 * section.
 *
 * Every entry the loader resolves is a reference: undefined ones
 * (SHN_UNDEF, named or not; index 0 excepted) hold the address the loader
 * gave them, livepatch relocation symbols (SHN_LIVEPATCH) the address
 * klp_apply_section_relocs() looked up through kallsyms. Entries whose
 * value no name accounts for are unverifiable (see kg_ref_of()). The
 * section headers are gone by COMING (the loader keeps a copy only for
 * livepatch modules, and only after the notifier chain ran), so
 * relocations themselves are not seen: what they used is, through the
 * symbols they name.
 */
#include <linux/elf.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <asm/processor.h>
#include "guard.h"

static const struct mod_kallsyms *kg_kallsyms(struct module *mod)
{
	return rcu_dereference_raw(mod->kallsyms);
}

/*
 * A kernel address: text, data, the module area, the direct map, vmalloc.
 * A module has no business holding one as an absolute symbol; the
 * constants it keeps there (CRCs on older kernels, file symbols) are small.
 */
static bool kg_kernel_addr(unsigned long v)
{
	return v >= TASK_SIZE_MAX;
}

/*
 * Is entry @s a reference, and which kind (@is_ref false: a definition of
 * the module's own, nothing to check)?
 */
static enum kg_ref kg_ref_of(const Elf_Sym *s, const char *name, bool *is_ref)
{
	*is_ref = true;
	switch (s->st_shndx) {
	case SHN_UNDEF:
		/*
		 * A nameless one the loader cannot resolve; one that is weak
		 * keeps the value the file gave it, an address no name
		 * accounts for.
		 */
		return !*name && s->st_value ? KG_REF_UNVERIFIABLE :
					       KG_REF_IMPORT;
	case SHN_LIVEPATCH:
		return KG_REF_LIVEPATCH;
	case SHN_ABS:
		*is_ref = kg_kernel_addr(s->st_value);
		return KG_REF_UNVERIFIABLE;
	default:
		/* A reserved index the loader has no meaning for. */
		*is_ref = s->st_shndx >= SHN_LORESERVE;
		return KG_REF_UNVERIFIABLE;
	}
}

static const char *kg_sym_name(const struct mod_kallsyms *ks, unsigned int i)
{
	return &ks->strtab[ks->symtab[i].st_name];
}

unsigned int kg_imports_count(struct module *mod)
{
	const struct mod_kallsyms *ks = kg_kallsyms(mod);
	unsigned int i, nr = is_livepatch_module(mod);
	bool is_ref;

	for (i = 1; i < ks->num_symtab; i++) {
		kg_ref_of(&ks->symtab[i], kg_sym_name(ks, i), &is_ref);
		nr += is_ref;
	}
	return nr;
}

/* The imports of @mod, at MODULE_STATE_COMING, from its own symbol table. */
void kg_imports_start(struct kg_import_iter *it, struct module *mod)
{
	memset(it, 0, sizeof(*it));
	it->mod = mod;
	it->ks = kg_kallsyms(mod);
	it->idx = 1;
	it->nr = it->ks->num_symtab;
	it->livepatch_module = is_livepatch_module(mod);
}

/*
 * The imports of the live module @mod, named by userspace from the module's
 * file: a loaded module's symbol table no longer lists them.
 */
void kg_imports_start_names(struct kg_import_iter *it, struct module *mod,
			    const char * const *names, unsigned int nr)
{
	memset(it, 0, sizeof(*it));
	it->mod = mod;
	it->names = names;
	it->nr = nr;
}

/**
 * kg_imports_next() - the next import, resolved
 * @it: iterator set up by kg_imports_start() or kg_imports_start_names()
 * @imp: filled with the import's name, exporter, namespace and CRC
 *
 * Return: false when there are no more imports.
 */
bool kg_imports_next(struct kg_import_iter *it, struct kg_import *imp)
{
	bool is_ref = true;

	if (it->livepatch_module) {
		it->livepatch_module = false;
		memset(imp, 0, sizeof(*imp));
		imp->ref = KG_REF_LIVEPATCH_MODULE;
		imp->name = "";
		return true;
	}
	while (it->idx < it->nr) {
		unsigned int i = it->idx++;

		if (it->names) {
			imp->ref = KG_REF_IMPORT;
			imp->name = it->names[i];
			imp->value_known = false;
		} else {
			const Elf_Sym *s = &it->ks->symtab[i];

			imp->name = kg_sym_name(it->ks, i);
			imp->ref = kg_ref_of(s, imp->name, &is_ref);
			if (!is_ref)
				continue;
			imp->value_known = true;
			imp->value = s->st_value;
		}
		imp->hash = kg_name_hash(imp->name);
		if (imp->ref != KG_REF_IMPORT) {
			imp->ns = NULL;
			imp->exporter = NULL;
			imp->has_crc = false;
			imp->crc = 0;
			return true;
		}
		kg_ksyms_resolve(it->mod, imp);
		/*
		 * Resolved to an address that no export of its name has: a
		 * weak import the loader left with the file's value.
		 */
		if (imp->value_known && imp->value && !imp->exporter)
			imp->ref = KG_REF_UNVERIFIABLE;
		return true;
	}
	return false;
}
