// SPDX-License-Identifier: GPL-2.0
/*
 * kg_livepatch: a livepatch module (modinfo livepatch=Y) with one livepatch
 * relocation to an unexported kernel symbol (see kg_klp.h). It never calls
 * klp_enable_patch(): it patches nothing.
 */
#include "kg_klp.h"

MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("kabiguard selftest: a livepatch module with a .klp.sym relocation");
