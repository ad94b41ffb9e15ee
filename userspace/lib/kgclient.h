/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgclient, the library kabiguardctl, kabiguardd and the tests link:
 *
 *   kgc_policy.h  policies in memory: rules, the policy file formats
 *   kgc_client.h  the kernel: requests (kgc_cmd_*), the policy
 *                 transaction, events, the retro scan, kgc_explain()
 *   kgc_check.h   offline checks of module files against a kernel's
 *                 Module.symvers and a policy (the guard's own matcher)
 *   kgc_json.h    event lines in JSON, written and read back
 *
 * (kgc_raw.h, for tests only, exposes the netlink socket.)
 *
 * One error convention: a call returns 0 (or a count, or 1 for "got
 * one") on success and a negative errno on failure, never -1 with errno.
 * The words go to one place per kind of call: for calls that talk to the
 * kernel, the client keeps them (kgc_extack(), kgc_bad_rule()); for calls
 * that read files or text, the caller's err buffer gets "file:line: what
 * was expected" or "path: reason". kgc_explain() makes both into the
 * message and exit status every tool prints. Per-item outcomes of a batch
 * (kgc_check_result.err, kgc_scan_report.err) are results, not failures
 * of the call.
 */
#ifndef KGCLIENT_H
#define KGCLIENT_H


#include "kgc_policy.h"
#include "kgc_client.h"
#include "kgc_check.h"
#include "kgc_json.h"

#endif /* KGCLIENT_H */
