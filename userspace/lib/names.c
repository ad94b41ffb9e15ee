// SPDX-License-Identifier: GPL-2.0
/* Names of the uapi enums (include/kabiguard/names.h), as printed by the
 * tools and read back. */
#include <errno.h>
#include <string.h>

#include "kgclient.h"
#include "../../include/kabiguard/names.h"

#define KG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kgc_modes[] = KG_MODE_NAMES;
static const char *const kgc_verdicts[] = KG_VERDICT_NAMES;
static const char *const kgc_reasons[] = KG_REASON_NAMES;
static const char *const kgc_kinds[] = KG_RULE_KIND_NAMES;
_Static_assert(KG_ARRAY_SIZE(kgc_modes) == __KABIGUARD_MODE_MAX, "mode names");
_Static_assert(KG_ARRAY_SIZE(kgc_verdicts) == __KABIGUARD_VERDICT_MAX, "verdict names");
_Static_assert(KG_ARRAY_SIZE(kgc_reasons) == __KABIGUARD_REASON_MAX, "reason names");
_Static_assert(KG_ARRAY_SIZE(kgc_kinds) == __KABIGUARD_RULE_KIND_MAX, "rule kind names");

static const char *const kgc_formats[] = {
	[KG_FORMAT_AUTO]	= "auto",
	[KG_FORMAT_NATIVE]	= "native",
	[KG_FORMAT_SYMVERS]	= "symvers",
	[KG_FORMAT_RH_KABI]	= "rh-kabi",
	[KG_FORMAT_SYMSETS]	= "symsets",
};

/* Values from a newer kernel print as "unknown" rather than crash. */
static const char *kgc_name(const char *const *names, size_t nr, unsigned int v)
{
	return v < nr && names[v] ? names[v] : "unknown";
}

const char *kgc_mode_name(enum kabiguard_mode mode)
{
	return kgc_name(kgc_modes, KG_ARRAY_SIZE(kgc_modes), mode);
}

int kgc_mode_parse(const char *s, enum kabiguard_mode *mode)
{
	size_t i;

	for (i = 0; i < KG_ARRAY_SIZE(kgc_modes); i++) {
		if (!strcmp(s, kgc_modes[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *kgc_verdict_name(enum kabiguard_verdict v)
{
	return kgc_name(kgc_verdicts, KG_ARRAY_SIZE(kgc_verdicts), v);
}

const char *kgc_reason_name(enum kabiguard_reason r)
{
	return kgc_name(kgc_reasons, KG_ARRAY_SIZE(kgc_reasons), r);
}

const char *kgc_kind_name(enum kabiguard_rule_kind k)
{
	return kgc_name(kgc_kinds, KG_ARRAY_SIZE(kgc_kinds), k);
}

const char *kgc_format_name(enum kgc_format fmt)
{
	return kgc_name(kgc_formats, KG_ARRAY_SIZE(kgc_formats), fmt);
}

int kgc_format_parse(const char *s, enum kgc_format *fmt)
{
	size_t i;

	for (i = 0; i < KG_ARRAY_SIZE(kgc_formats); i++) {
		if (!strcmp(s, kgc_formats[i])) {
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
