// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file: "key = value" lines, '#' comments, blank lines.
 * Unknown keys and malformed lines are errors (a typo must not silently
 * fall back to a default on a production machine).  Every path must be
 * absolute.  $FWVERIFY_CONFIG names another file, for tests and chroots.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "util.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int set_defaults(struct fw_config *c)
{
	memset(c, 0, sizeof(*c));
	c->search_dir = strdup("/lib/firmware/updates");
	c->state_dir = strdup("/var/lib/fwverify");
	c->quarantine_dir = strdup("/var/lib/fwverify/quarantine");
	c->keep = 3;
	return c->search_dir && c->state_dir && c->quarantine_dir ? 0 : -ENOMEM;
}

static int set_path(char **slot, const char *key, const char *v, char *err, size_t errlen)
{
	char *copy;

	if (v[0] != '/') {
		set_err(err, errlen, "%s must be an absolute path", key);
		return -EINVAL;
	}
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

static int set_key(struct fw_config *c, const char *key, const char *v, char *err, size_t errlen)
{
	char *end;
	unsigned long n;

	if (!strcmp(key, "search_dir"))
		return set_path(&c->search_dir, key, v, err, errlen);
	if (!strcmp(key, "state_dir"))
		return set_path(&c->state_dir, key, v, err, errlen);
	if (!strcmp(key, "quarantine_dir"))
		return set_path(&c->quarantine_dir, key, v, err, errlen);
	if (!strcmp(key, "policy"))
		return set_path(&c->policy, key, v, err, errlen);
	if (!strcmp(key, "ca")) {
		if (c->nca == CONFIG_MAX_CA) {
			set_err(err, errlen, "more than %d ca lines", CONFIG_MAX_CA);
			return -E2BIG;
		}
		c->ca[c->nca] = NULL;
		if (set_path(&c->ca[c->nca], key, v, err, errlen))
			return -EINVAL;
		c->nca++;
		return 0;
	}
	if (!strcmp(key, "keep")) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (!isdigit((unsigned char)v[0]) || *end || errno || n > 100) {
			set_err(err, errlen, "keep must be a number from 0 to 100");
			return -EINVAL;
		}
		c->keep = n;
		return 0;
	}
	if (!strcmp(key, "mode")) {
		if (strcmp(v, "off") && strcmp(v, "log") && strcmp(v, "enforce")) {
			set_err(err, errlen, "mode must be off, log or enforce");
			return -EINVAL;
		}
		free(c->mode);
		c->mode = strdup(v);
		return c->mode ? 0 : -ENOMEM;
	}
	set_err(err, errlen, "unknown key '%.64s'", key);
	return -EINVAL;
}

/*
 * Parse @len bytes of configuration text into @c (defaults first).
 * Return: 0, or -EINVAL with a message in @err, or -ENOMEM; @c is freed on failure.
 */
int config_parse(const char *text, size_t len, struct fw_config *c, char *err, size_t errlen)
{
	_cleanup_(freep) char *copy = NULL;
	char *line, *next, *eq;
	unsigned int lineno = 0;
	int ret;

	ret = set_defaults(c);
	if (ret)
		goto fail;
	if (memchr(text, '\0', len)) {
		set_err(err, errlen, "contains a NUL byte");
		ret = -EINVAL;
		goto fail;
	}
	copy = strndup(text, len);
	ret = -ENOMEM;
	if (!copy)
		goto fail;
	for (line = copy; line; line = next) {
		char msg[160] = "";

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = str_trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			set_err(err, errlen, "line %u: expected 'key = value'", lineno);
			ret = -EINVAL;
			goto fail;
		}
		*eq = '\0';
		ret = set_key(c, str_trim(line), str_trim(eq + 1), msg, sizeof(msg));
		if (ret) {
			set_err(err, errlen, "line %u: %s", lineno, msg[0] ? msg : errno_text(ret));
			goto fail;
		}
	}
	return 0;
fail:
	config_free(c);
	return ret;
}

/*
 * Load @path, or $FWVERIFY_CONFIG, or the default file when @path is NULL.
 * A missing default file means the defaults; a missing named file is an error.
 * Return: 0, or -errno with a message in @err.
 */
int config_load(const char *path, struct fw_config *c, char *err, size_t errlen)
{
	_cleanup_(freep) unsigned char *text = NULL;
	bool named = path || getenv("FWVERIFY_CONFIG");
	size_t len = 0;
	int ret;

	if (!path)
		path = getenv("FWVERIFY_CONFIG") ? getenv("FWVERIFY_CONFIG") : CONFIG_DEFAULT_PATH;
	ret = read_file(path, CONFIG_FILE_MAX, &text, &len);
	if (ret == -ENODATA || (ret == -ENOENT && !named))
		return config_parse("", 0, c, err, errlen);
	if (ret) {
		set_err(err, errlen, "%s: %s", path, errno_text(ret));
		return ret;
	}
	ret = config_parse((const char *)text, len, c, err, errlen);
	if (ret) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		set_err(err, errlen, "%s: %s", path, msg);
	}
	return ret;
}

void config_free(struct fw_config *c)
{
	free(c->search_dir);
	free(c->state_dir);
	free(c->quarantine_dir);
	free(c->mode);
	free(c->policy);
	for (size_t i = 0; i < c->nca; i++)
		free(c->ca[i]);
	memset(c, 0, sizeof(*c));
}
