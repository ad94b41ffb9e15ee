// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the policy parsers (kgc_policy_load_buf), every format
 * chosen by the first byte (auto-detection included), and the matcher and
 * symvers index on whatever parsed. `make -C userspace fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kgclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum kgc_format fmts[] = {
		KG_FORMAT_AUTO, KG_FORMAT_NATIVE, KG_FORMAT_SYMVERS,
		KG_FORMAT_RH_KABI, KG_FORMAT_SYMSETS,
	};
	struct kgc_policy p = { 0 };
	struct kgc_matcher *m;
	struct kgc_match res;
	char err[256], line[2048];
	size_t i;

	if (!size)
		return 0;
	if (kgc_policy_load_buf(&p, "fuzz", (const char *)data + 1, size - 1,
			       fmts[data[0] % 5], err, sizeof(err))) {
		/* Nothing appended on error, and the message is terminated. */
		if (p.nr || strlen(err) >= sizeof(err))
			abort();
		return 0;
	}
	for (i = 0; i < p.nr; i++)
		kgc_rule_format(&p.rules[i], line, sizeof(line));
	if (!kgc_matcher_new(&m, &p)) {
		for (i = 0; i < p.nr && i < 64; i++) {
			const struct kgc_rule *r = &p.rules[i];
			struct kgc_import imp = {
				.name = r->name ? r->name : "x",
				.ns = r->ns, .exporter = r->exporter,
				.crc = r->crc, .has_crc = r->has_crc,
			};

			/* A rule always allows the import it describes. */
			if (r->kind == KABIGUARD_RULE_SYMBOL &&
			    !kgc_matcher_allows(m, &imp, r->module ? r->module :
					       "m", true, &res))
				abort();
		}
		kgc_matcher_free(m);
	}
	kgc_policy_free(&p);
	return 0;
}
