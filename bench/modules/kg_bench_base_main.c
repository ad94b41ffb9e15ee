// SPDX-License-Identifier: GPL-2.0
/*
 * kg_bench_base.ko: kg_bench_vmlinux.ko's code with 2 kernel imports
 * instead of ~200 (kg_bench_base_refs.c): kg_bench's baseline.
 */
#define KG_BENCH_DESCRIPTION "kabiguard benchmark: kg_bench_vmlinux with 2 kernel imports"
#include "kg_bench_vmlinux_main.c"
