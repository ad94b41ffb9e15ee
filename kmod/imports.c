// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the imports of a module at MODULE_STATE_COMING.
 *
 * Until its init memory is freed, mod->kallsyms points at the module's full
 * symbol table, copied by the loader. Its undefined entries (st_shndx ==
 * SHN_UNDEF, index 0 excepted) are the imports, and their st_value already
 * holds the address the loader resolved each one to. The pointer is only
 * replaced after init by the loading task, which is the one running the
 * notifier, so the table and its strings stay put while we read them
 * without an RCU read-side section.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include "kabiguard.h"

static const struct mod_kallsyms *kg_kallsyms(struct module *mod)
{
	return rcu_dereference_raw(mod->kallsyms);
}

/* The name of symbol @i if it is an import, else NULL. */
static const char *kg_import_name(const struct mod_kallsyms *ks,
				  unsigned int i)
{
	if (ks->symtab[i].st_shndx != SHN_UNDEF)
		return NULL;
	return ks->strtab[ks->symtab[i].st_name] ?
	       &ks->strtab[ks->symtab[i].st_name] : NULL;
}

unsigned int kg_imports_count(struct module *mod)
{
	const struct mod_kallsyms *ks = kg_kallsyms(mod);
	unsigned int i, nr = 0;

	for (i = 1; i < ks->num_symtab; i++)
		if (kg_import_name(ks, i))
			nr++;
	return nr;
}

void kg_imports_start(struct module *mod, struct kg_import_iter *it)
{
	it->ks = kg_kallsyms(mod);
	it->idx = 1;
}

/**
 * kg_imports_next() - the next import of @mod, resolved
 * @mod: the module being loaded
 * @it: iterator set up by kg_imports_start()
 * @imp: filled with the import's name, address, exporter, namespace and CRC
 *
 * Return: false when there are no more imports.
 */
bool kg_imports_next(struct module *mod, struct kg_import_iter *it,
		     struct kg_import *imp)
{
	const struct mod_kallsyms *ks = it->ks;

	while (it->idx < ks->num_symtab) {
		unsigned int i = it->idx++;

		imp->name = kg_import_name(ks, i);
		if (!imp->name)
			continue;
		imp->hash = kg_name_hash(imp->name);
		imp->value = ks->symtab[i].st_value;
		kg_ksyms_resolve(mod, imp);
		return true;
	}
	return false;
}
