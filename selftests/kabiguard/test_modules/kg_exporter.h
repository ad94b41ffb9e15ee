/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols exported by kg_exporter.ko: two without a namespace, two in the
 * KABIGUARD_TEST namespace; and by kg_restricted_exporter.ko, where the
 * kernel has module-restricted exports: one to KG_RESTRICTED_TO only. Each
 * returns a distinct value so a consumer can check it really called them.
 */
#ifndef _KG_EXPORTER_H
#define _KG_EXPORTER_H

#define KG_PLAIN_A_VALUE	1
#define KG_PLAIN_B_VALUE	2
#define KG_NS_A_VALUE		4
#define KG_NS_B_VALUE		8
#define KG_RESTRICTED_A_VALUE	16

/* The modules kg_restricted_a is exported to (namespace "module:" this). */
#define KG_RESTRICTED_TO	"kg_consumer_restricted"

int kg_plain_a(void);
int kg_plain_b(void);
int kg_ns_a(void);
int kg_ns_b(void);
int kg_restricted_a(void);

#endif /* _KG_EXPORTER_H */
