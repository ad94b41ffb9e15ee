/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel knows of a module's origin, for signed-only rules (the
 * "origin" argument of the matcher, include/kabiguard/match.h), shared by
 * kabiguard.ko and libkgclient:
 *
 *   KG_MATCH_SIGNED   the kernel verified the module's signature
 *                     (struct module sig_ok, CONFIG_MODULE_SIG)
 *   KG_MATCH_IN_TREE  the kernel did not taint it out-of-tree
 *                     (TAINT_OOT_MODULE: no modinfo intree=Y)
 */
#ifndef KG_ORIGIN_H
#define KG_ORIGIN_H

#define KG_MATCH_SIGNED		0x1U
#define KG_MATCH_IN_TREE	0x2U

#endif /* KG_ORIGIN_H */
