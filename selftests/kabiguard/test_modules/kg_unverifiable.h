/* SPDX-License-Identifier: GPL-2.0 */
/* kg_unverifiable's weak imports, which nothing exports (see its source). */
#ifndef KG_UNVERIFIABLE_H
#define KG_UNVERIFIABLE_H

extern char kg_unv_nameless[] __weak;
extern char kg_unv_named[] __weak;
extern char kg_unv_abs[] __weak;

#endif /* KG_UNVERIFIABLE_H */
