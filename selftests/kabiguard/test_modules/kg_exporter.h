/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols exported by kg_exporter.ko: two without a namespace, two in the
 * KABIGUARD_TEST namespace. Each returns a distinct value so a consumer can
 * check it really called them.
 */
#ifndef _KG_EXPORTER_H
#define _KG_EXPORTER_H

#define KG_PLAIN_A_VALUE	1
#define KG_PLAIN_B_VALUE	2
#define KG_NS_A_VALUE		4
#define KG_NS_B_VALUE		8

int kg_plain_a(void);
int kg_plain_b(void);
int kg_ns_a(void);
int kg_ns_b(void);

#endif /* _KG_EXPORTER_H */
