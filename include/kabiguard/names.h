/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the uapi enums (include/uapi/linux/kabiguard.h), as the
 * kernel log, the audit records, kabiguardctl, kabiguardd's logs and the
 * policy files spell them: one list, shared by kabiguard.ko and
 * libkgclient, so that a new value cannot be named in one and "unknown"
 * in the other. Each is an array initialiser:
 *
 *	static const char * const kg_reason_names[] = KG_REASON_NAMES;
 *
 * and each user checks at build time that its array covers the enum.
 * Include the uapi header first.
 */
#ifndef KG_NAMES_H
#define KG_NAMES_H

#define KG_MODE_NAMES {						\
	[KABIGUARD_MODE_OFF]		= "off",		\
	[KABIGUARD_MODE_AUDIT]		= "audit",		\
	[KABIGUARD_MODE_ENFORCE]	= "enforce",		\
}

#define KG_VERDICT_NAMES {					\
	[KABIGUARD_VERDICT_ALLOWED]	= "allowed",		\
	[KABIGUARD_VERDICT_AUDITED]	= "audited",		\
	[KABIGUARD_VERDICT_DENIED]	= "denied",		\
}

#define KG_REASON_NAMES {					\
	[KABIGUARD_REASON_NOT_ALLOWED]	= "not-allowed",	\
	[KABIGUARD_REASON_NAMESPACE]	= "namespace",		\
	[KABIGUARD_REASON_CRC_MISMATCH]	= "crc-mismatch",	\
	[KABIGUARD_REASON_EXPORTER]	= "exporter",		\
	[KABIGUARD_REASON_UNSIGNED]	= "unsigned",		\
	[KABIGUARD_REASON_LIVEPATCH]	= "livepatch",		\
	[KABIGUARD_REASON_UNVERIFIABLE]	= "unverifiable",	\
	[KABIGUARD_REASON_OUT_OF_TREE]	= "out-of-tree",	\
}

#define KG_RULE_KIND_NAMES {					\
	[KABIGUARD_RULE_SYMBOL]		= "symbol",		\
	[KABIGUARD_RULE_NAMESPACE]	= "namespace",		\
	[KABIGUARD_RULE_ANY]		= "any",		\
	[KABIGUARD_RULE_LIVEPATCH]	= "livepatch",		\
}

#endif /* KG_NAMES_H */
