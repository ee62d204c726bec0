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
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "util.h"

static int set_defaults(struct fw_config *c)
{
	memset(c, 0, sizeof(*c));
	c->search_dir = strdup("/lib/firmware/updates");
	c->state_dir = strdup("/var/lib/fwverify");
	c->quarantine_dir = strdup("/var/lib/fwverify/quarantine");
	c->keep = 3;
	return c->search_dir && c->state_dir && c->quarantine_dir ? 0 : -ENOMEM;
}

/* The setters below say what is wrong with line @line in @e, except for -ENOMEM. */
static int set_path(char **slot, const char *key, const char *v, unsigned int line, struct fw_error *e)
{
	char *copy;

	if (v[0] != '/')
		return fw_error_set(e, -EINVAL, "line %u: %s must be an absolute path", line, key);
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

static int set_key(struct fw_config *c, const char *key, const char *v, unsigned int line,
		   struct fw_error *e)
{
	char *end;
	unsigned long n;

	if (!strcmp(key, "search_dir"))
		return set_path(&c->search_dir, key, v, line, e);
	if (!strcmp(key, "state_dir"))
		return set_path(&c->state_dir, key, v, line, e);
	if (!strcmp(key, "quarantine_dir"))
		return set_path(&c->quarantine_dir, key, v, line, e);
	if (!strcmp(key, "policy"))
		return set_path(&c->policy, key, v, line, e);
	if (!strcmp(key, "ca")) {
		if (c->nca == CONFIG_MAX_CA)
			return fw_error_set(e, -E2BIG, "line %u: more than %d ca lines", line, CONFIG_MAX_CA);
		c->ca[c->nca] = NULL;
		if (set_path(&c->ca[c->nca], key, v, line, e))
			return -EINVAL;
		c->nca++;
		return 0;
	}
	if (!strcmp(key, "keep")) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (!isdigit((unsigned char)v[0]) || *end || errno || n > 100)
			return fw_error_set(e, -EINVAL, "line %u: keep must be a number from 0 to 100", line);
		c->keep = n;
		return 0;
	}
	if (!strcmp(key, "mode")) {
		if (strcmp(v, "off") && strcmp(v, "log") && strcmp(v, "enforce"))
			return fw_error_set(e, -EINVAL, "line %u: mode must be off, log or enforce", line);
		free(c->mode);
		c->mode = strdup(v);
		return c->mode ? 0 : -ENOMEM;
	}
	return fw_error_set(e, -EINVAL, "line %u: unknown key '%.64s'", line, key);
}

/*
 * Parse @len bytes of configuration text into @c (defaults first).
 * Return: 0, or -EINVAL or -E2BIG or -ENOMEM, said in @e; @c is freed on failure.
 */
int config_parse(const char *text, size_t len, struct fw_config *c, struct fw_error *e)
{
	_cleanup_(freep) char *copy = NULL;
	char *line, *next, *eq;
	unsigned int lineno = 0;
	int ret;

	ret = set_defaults(c);
	if (ret) {
		fw_error_set(e, ret, "%s", errno_text(ret));
		goto fail;
	}
	if (memchr(text, '\0', len)) {
		ret = fw_error_set(e, -EINVAL, "contains a NUL byte");
		goto fail;
	}
	copy = strndup(text, len);
	if (!copy) {
		ret = fw_error_set(e, -ENOMEM, "%s", errno_text(-ENOMEM));
		goto fail;
	}
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = str_trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			ret = fw_error_set(e, -EINVAL, "line %u: expected 'key = value'", lineno);
			goto fail;
		}
		*eq = '\0';
		ret = set_key(c, str_trim(line), str_trim(eq + 1), lineno, e);
		if (ret == -ENOMEM)
			fw_error_set(e, ret, "line %u: %s", lineno, errno_text(ret));
		if (ret)
			goto fail;
	}
	return 0;
fail:
	config_free(c);
	return ret;
}

/*
 * Load @path, or $FWVERIFY_CONFIG, or the default file when @path is NULL.
 * A missing default file means the defaults; a missing named file is an error.
 * Return: 0, or -errno, said in @e (naming the file).
 */
int config_load(const char *path, struct fw_config *c, struct fw_error *e)
{
	_cleanup_(freep) unsigned char *text = NULL;
	bool named = path || getenv("FWVERIFY_CONFIG");
	size_t len = 0;
	int ret;

	if (!path)
		path = getenv("FWVERIFY_CONFIG") ? getenv("FWVERIFY_CONFIG") : CONFIG_DEFAULT_PATH;
	ret = read_file(path, CONFIG_FILE_MAX, &text, &len);
	if (ret == -ENODATA || (ret == -ENOENT && !named))
		return config_parse("", 0, c, e);
	if (ret)
		return fw_error_set(e, ret, "%s: %s", path, errno_text(ret));
	ret = config_parse((const char *)text, len, c, e);
	if (ret && e)
		fw_error_set(e, ret, "%s: %s", path, e->msg);
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
