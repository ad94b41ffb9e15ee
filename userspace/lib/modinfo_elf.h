/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between modread.c, which opens a module file, and modinfo_elf.c, which
 * reads its ELF: nothing else includes this.
 */
#ifndef KG_MODINFO_ELF_H
#define KG_MODINFO_ELF_H

#include <libelf.h>

#include "internal.h"

/* Parses the module whose ELF is e (consumed: elf_end() here; NULL: not
 * ELF) into mi, all but the signer. Returns 0, or a negative errno with
 * "path: reason" in err (mi then freed). */
int kgc_modinfo_parse_elf(const char *path, Elf *e, struct kgc_modinfo *mi,
			  char *err, size_t errlen);

#endif /* KG_MODINFO_ELF_H */
