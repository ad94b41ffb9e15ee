// SPDX-License-Identifier: GPL-2.0
/* Names of the uapi enums (include/kabiguard/names.h), as printed by the
 * tools and read back. */
#include <errno.h>
#include <string.h>

#include "kgclient.h"
#include "../../include/kabiguard/names.h"

#define KG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kg_modes[] = KG_MODE_NAMES;
static const char *const kg_verdicts[] = KG_VERDICT_NAMES;
static const char *const kg_reasons[] = KG_REASON_NAMES;
static const char *const kg_kinds[] = KG_RULE_KIND_NAMES;
_Static_assert(KG_ARRAY_SIZE(kg_modes) == __KABIGUARD_MODE_MAX, "mode names");
_Static_assert(KG_ARRAY_SIZE(kg_verdicts) == __KABIGUARD_VERDICT_MAX, "verdict names");
_Static_assert(KG_ARRAY_SIZE(kg_reasons) == __KABIGUARD_REASON_MAX, "reason names");
_Static_assert(KG_ARRAY_SIZE(kg_kinds) == __KABIGUARD_RULE_KIND_MAX, "rule kind names");

static const char *const kg_formats[] = {
	[KG_FORMAT_AUTO]	= "auto",
	[KG_FORMAT_NATIVE]	= "native",
	[KG_FORMAT_SYMVERS]	= "symvers",
	[KG_FORMAT_RH_KABI]	= "rh-kabi",
	[KG_FORMAT_SYMSETS]	= "symsets",
};

/* Values from a newer kernel print as "unknown" rather than crash. */
static const char *kg_name(const char *const *names, size_t nr, unsigned int v)
{
	return v < nr && names[v] ? names[v] : "unknown";
}

const char *kg_mode_name(enum kabiguard_mode mode)
{
	return kg_name(kg_modes, KG_ARRAY_SIZE(kg_modes), mode);
}

int kg_mode_parse(const char *s, enum kabiguard_mode *mode)
{
	size_t i;

	for (i = 0; i < KG_ARRAY_SIZE(kg_modes); i++) {
		if (!strcmp(s, kg_modes[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *kg_verdict_name(enum kabiguard_verdict v)
{
	return kg_name(kg_verdicts, KG_ARRAY_SIZE(kg_verdicts), v);
}

const char *kg_reason_name(enum kabiguard_reason r)
{
	return kg_name(kg_reasons, KG_ARRAY_SIZE(kg_reasons), r);
}

const char *kg_kind_name(enum kabiguard_rule_kind k)
{
	return kg_name(kg_kinds, KG_ARRAY_SIZE(kg_kinds), k);
}

const char *kg_format_name(enum kg_format fmt)
{
	return kg_name(kg_formats, KG_ARRAY_SIZE(kg_formats), fmt);
}

int kg_format_parse(const char *s, enum kg_format *fmt)
{
	size_t i;

	for (i = 0; i < KG_ARRAY_SIZE(kg_formats); i++) {
		if (!strcmp(s, kg_formats[i])) {
			*fmt = i;
			return 0;
		}
	}
	/* What users call these files. */
	if (!strcmp(s, "Module.symvers") || !strcmp(s, "modversions")) {
		*fmt = KG_FORMAT_SYMVERS;
		return 0;
	}
	if (!strcmp(s, "stablelist") || !strcmp(s, "whitelist") ||
	    !strcmp(s, "kabi")) {
		*fmt = KG_FORMAT_RH_KABI;
		return 0;
	}
	return -EINVAL;
}
