// SPDX-License-Identifier: GPL-2.0
/* kabiguardctl status: everything GET_STATUS says. */
#include "ctl.h"

static const struct {
	uint32_t bit;
	const char *name;
} ctl_features[] = {
	{ KABIGUARD_FEAT_ENFORCE, "enforce" },
	{ KABIGUARD_FEAT_MODVERSIONS, "modversions" },
	{ KABIGUARD_FEAT_SIG, "sig" },
	{ KABIGUARD_FEAT_RING, "ring" },
	{ KABIGUARD_FEAT_SCAN, "scan" },
	{ KABIGUARD_FEAT_EVENTS_ADMIN, "events-admin" },
};

static void print_features(uint32_t features)
{
	uint32_t known = 0;
	size_t i;

	out_text("features:");
	out_arr_begin("features");
	for (i = 0; i < sizeof(ctl_features) / sizeof(ctl_features[0]); i++) {
		known |= ctl_features[i].bit;
		if (features & ctl_features[i].bit)
			out_str(NULL, " %s", ctl_features[i].name);
	}
	out_arr_end();
	/* Bits from a newer module: show them rather than hide them. */
	if (features & ~known)
		out_text(" 0x%x", features & ~known);
	if (!features)
		out_text(" none");
	out_text("\n");
}

int cmd_status(int argc, char **argv)
{
	struct kgc_client *c;
	struct kgc_status st;
	int ret;

	ret = ctl_no_args(argc, argv);
	if (ret >= 0)
		return ret;
	ret = ctl_open(&c);
	if (ret)
		return ret;
	ret = kgc_cmd_get_status(c, &st);
	if (ret) {
		ret = ctl_kernel_error(c, ret, "status");
		goto out;
	}

	out_obj_begin(NULL);
	out_str("mode", "mode: %s\n", kgc_mode_name(st.mode));
	out_u64("generation", "generation: %llu", st.generation);
	out_text("%s\n", st.generation ? "" : " (no policy committed)");
	out_bool("locked", "locked: %s\n", st.locked);
	print_features(st.features);

	out_obj_begin("rules");
	out_u64("total", "rules: %llu", st.nr_rules);
	out_u64("symbol", " (symbol %llu", st.nr_symbol);
	out_u64("namespace", ", namespace %llu", st.nr_namespace);
	out_u64("any", ", any %llu)", st.nr_any);
	out_u64("max", ", max %llu\n", st.max_rules);
	out_obj_end();

	out_obj_begin("transaction");
	out_bool("open", NULL, st.txn_open);
	if (st.txn_open)
		out_u64("owner", "transaction: open, owner port %llu\n",
			st.txn_owner);
	else
		out_null("owner");
	out_text("%s", st.txn_open ? "" : "transaction: none\n");
	out_obj_end();

	out_obj_begin("counters");
	out_u64("checked", "loads checked: %llu", st.checked);
	out_u64("allowed", " (allowed %llu", st.allowed);
	out_u64("audited", ", audited %llu", st.audited);
	out_u64("denied", ", denied %llu)\n", st.denied);
	out_u64("violations", "violations: %llu\n", st.violations);
	out_obj_end();

	out_obj_begin("ring");
	out_u64("size", "event ring: %llu slots", st.ring_size);
	out_u64("first", ", seq %llu", st.ring_first);
	out_u64("next", " to %llu (next)", st.ring_next);
	out_u64("bytes", ", %llu", st.ring_bytes);
	out_u64("bytes_max", " of %llu bytes", st.ring_bytes_max);
	out_u64("overflow", ", %llu lost to overflow\n", st.ring_overflow);
	out_obj_end();
	out_obj_end();
	out_flush();
out:
	kgc_close(c);
	return ret;
}
