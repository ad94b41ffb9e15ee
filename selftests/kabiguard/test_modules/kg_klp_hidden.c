// SPDX-License-Identifier: GPL-2.0
/*
 * kg_klp_hidden: the livepatch relocation of kg_livepatch (see kg_klp.h) in
 * a module that does not say it is a livepatch: the loader resolves it all
 * the same.
 */
#include "kg_klp.h"

MODULE_DESCRIPTION("kabiguard selftest: a .klp.sym relocation without livepatch=Y");
