// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguard.conf(5): "key = value" lines, '#' comment lines, blank lines.
 * Errors name the file and line. A file is applied whole or not at all.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabiguardd.h"

void kgd_config_init(struct kgd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = KABIGUARD_MODE_AUDIT;
	cfg->policy_dir = strdup(KGD_POLICY_DIR);
	cfg->log_file = strdup(KGD_LOG_FILE);
	cfg->state_file = strdup(KGD_STATE_FILE);
	cfg->log_target = KGD_LOG_AUTO;
	cfg->retro_scan = true;
	cfg->events_buffer = KGD_EVENTS_BUFFER;
}

void kgd_config_free(struct kgd_config *cfg)
{
	free(cfg->policy_dir);
	free(cfg->log_file);
	free(cfg->state_file);
	free(cfg->metrics_file);
	memset(cfg, 0, sizeof(*cfg));
}

static const char *const kgd_log_targets[] = {
	[KGD_LOG_AUTO] = "auto",
	[KGD_LOG_JOURNAL] = "journal",
	[KGD_LOG_SYSLOG] = "syslog",
	[KGD_LOG_NONE] = "none",
};

const char *kgd_log_target_name(enum kgd_log_target t)
{
	return t <= KGD_LOG_NONE ? kgd_log_targets[t] : "unknown";
}

static int kgd_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static char *kgd_strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A path value: absolute, or empty (= none) where allowed. */
static int kgd_path(const char *v, bool may_be_none, char **out)
{
	char *dup;

	if (!*v || !strcmp(v, "none")) {
		if (!may_be_none)
			return -EINVAL;
		free(*out);
		*out = NULL;
		return 0;
	}
	if (*v != '/')
		return -EINVAL;
	dup = strdup(v);
	if (!dup)
		return -ENOMEM;
	free(*out);
	*out = dup;
	return 0;
}

/* One "key = value" into cfg; -EINVAL with what was expected in err. */
static int kgd_config_set(struct kgd_config *cfg, const char *key,
			  const char *v, char *err, size_t errlen)
{
	char *end;
	long n;
	int ret;

	if (!strcmp(key, "mode")) {
		if (kgc_mode_parse(v, &cfg->mode) == 0)
			return 0;
		snprintf(err, errlen, "mode: expected off, audit or enforce, "
			 "not '%s'", v);
		return -EINVAL;
	}
	if (!strcmp(key, "log_target")) {
		for (n = 0; n <= KGD_LOG_NONE; n++) {
			if (strcmp(v, kgd_log_targets[n]))
				continue;
			if (n == KGD_LOG_JOURNAL && !kgd_journal_built()) {
				snprintf(err, errlen, "log_target: this "
					 "kabiguardd was built without "
					 "libsystemd: use auto, syslog or "
					 "none");
				return -EINVAL;
			}
			cfg->log_target = n;
			return 0;
		}
		snprintf(err, errlen, "log_target: expected auto, journal, "
			 "syslog or none, not '%s'", v);
		return -EINVAL;
	}
	/* The older spelling: yes is the system's log, whichever runs. */
	if (!strcmp(key, "syslog")) {
		bool on;

		if (kgd_bool(v, &on) == 0) {
			cfg->log_target = on ? KGD_LOG_AUTO : KGD_LOG_NONE;
			return 0;
		}
		snprintf(err, errlen, "syslog: expected yes or no, not '%s'",
			 v);
		return -EINVAL;
	}
	if (!strcmp(key, "lock") || !strcmp(key, "retro_scan")) {
		bool *b = !strcmp(key, "lock") ? &cfg->lock :
			  &cfg->retro_scan;

		if (kgd_bool(v, b) == 0)
			return 0;
		snprintf(err, errlen, "%s: expected yes or no, not '%s'", key,
			 v);
		return -EINVAL;
	}
	if (!strcmp(key, "policy_dir") || !strcmp(key, "log_file") ||
	    !strcmp(key, "state_file") || !strcmp(key, "metrics_file")) {
		bool is_policy = !strcmp(key, "policy_dir");
		char **p = is_policy ? &cfg->policy_dir :
			   !strcmp(key, "log_file") ? &cfg->log_file :
			   !strcmp(key, "state_file") ? &cfg->state_file :
			   &cfg->metrics_file;

		ret = kgd_path(v, !is_policy, p);
		/* The textfile collector reads *.prom files only. */
		if (!ret && p == &cfg->metrics_file && *p &&
		    (strlen(*p) < 6 || strcmp(*p + strlen(*p) - 5, ".prom"))) {
			snprintf(err, errlen, "metrics_file: expected a path "
				 "ending in .prom (node_exporter's textfile "
				 "collector reads no other), not '%s'", v);
			return -EINVAL;
		}
		if (ret == -EINVAL)
			snprintf(err, errlen, "%s: expected an absolute path%s, "
				 "not '%s'", key, is_policy ? "" :
				 " or 'none'", v);
		return ret;
	}
	if (!strcmp(key, "events_buffer")) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (!errno && end != v && !*end && n >= 4096 &&
		    n <= 1024L * 1024 * 1024) {
			cfg->events_buffer = n;
			return 0;
		}
		snprintf(err, errlen, "events_buffer: expected a number of "
			 "bytes from 4096 to 1073741824, not '%s'", v);
		return -EINVAL;
	}
	/*
	 * Read by the kernel upgrade hook (kabiguard-upgrade-check(8)), not
	 * by the daemon: validated here so that a typo shows at start.
	 */
	if (!strcmp(key, "upgrade_check")) {
		if (!strcmp(v, "off") || !strcmp(v, "warn") ||
		    !strcmp(v, "fail"))
			return 0;
		snprintf(err, errlen, "upgrade_check: expected off, warn or "
			 "fail, not '%s'", v);
		return -EINVAL;
	}
	snprintf(err, errlen, "unknown key '%s' (expected mode, lock, "
		 "policy_dir, log_file, state_file, log_target, syslog, "
		 "metrics_file, retro_scan, events_buffer or upgrade_check)",
		 key);
	return -EINVAL;
}

static int kgd_config_copy(struct kgd_config *dst, const struct kgd_config *src)
{
	*dst = *src;
	dst->policy_dir = src->policy_dir ? strdup(src->policy_dir) : NULL;
	dst->log_file = src->log_file ? strdup(src->log_file) : NULL;
	dst->state_file = src->state_file ? strdup(src->state_file) : NULL;
	dst->metrics_file = src->metrics_file ? strdup(src->metrics_file) :
			    NULL;
	if ((src->policy_dir && !dst->policy_dir) ||
	    (src->log_file && !dst->log_file) ||
	    (src->state_file && !dst->state_file) ||
	    (src->metrics_file && !dst->metrics_file)) {
		kgd_config_free(dst);
		return -ENOMEM;
	}
	return 0;
}

int kgd_config_load(struct kgd_config *cfg, const char *path, char *err,
		    size_t errlen)
{
	struct kgd_config n;
	char line[4096], msg[512];
	unsigned int lineno = 0;
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = kgd_config_copy(&n, cfg);
	if (ret) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *val;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line longer than %zu bytes",
				 path, lineno, sizeof(line) - 2);
			ret = -EINVAL;
			break;
		}
		s = kgd_strip(line);
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value'",
				 path, lineno);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		key = kgd_strip(s);
		val = kgd_strip(eq + 1);
		if (!*key) {
			snprintf(err, errlen, "%s:%u: expected a key before '='",
				 path, lineno);
			ret = -EINVAL;
			break;
		}
		ret = kgd_config_set(&n, key, val, msg, sizeof(msg));
		if (ret == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", path);
		else if (ret)
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
		if (ret)
			break;
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	fclose(f);
	if (ret) {
		kgd_config_free(&n);
		return ret;
	}
	kgd_config_free(cfg);
	*cfg = n;
	return 0;
}
