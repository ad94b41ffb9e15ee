// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the imports of a module at MODULE_STATE_COMING, or of a live one
 * whose imports userspace names.
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
#include <linux/string.h>
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

/* The imports of @mod, at MODULE_STATE_COMING, from its own symbol table. */
void kg_imports_start(struct kg_import_iter *it, struct module *mod)
{
	memset(it, 0, sizeof(*it));
	it->mod = mod;
	it->ks = kg_kallsyms(mod);
	it->idx = 1;
	it->nr = it->ks->num_symtab;
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
	while (it->idx < it->nr) {
		unsigned int i = it->idx++;

		if (it->names) {
			imp->name = it->names[i];
			imp->value_known = false;
		} else {
			imp->name = kg_import_name(it->ks, i);
			if (!imp->name)
				continue;
			imp->value_known = true;
			imp->value = it->ks->symtab[i].st_value;
		}
		imp->hash = kg_name_hash(imp->name);
		kg_ksyms_resolve(it->mod, imp);
		return true;
	}
	return false;
}
