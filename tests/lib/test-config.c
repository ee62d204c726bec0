// SPDX-License-Identifier: GPL-2.0
/*
 * lib/config.h: config_parse() (defaults, every key, what is refused, the
 * line a message names) and config_load() on files in a temporary
 * directory (a named file, a missing one, an empty one, $FWVERIFY_CONFIG).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

static int parse(const char *text, struct fw_config *c, struct fw_error *e)
{
	return config_parse(text, strlen(text), c, e);
}

/* config_parse() refuses @text with @want and a message containing @why, and frees what it held. */
static void refuses(const char *text, int want, const char *why, const char *desc)
{
	struct fw_config c;
	struct fw_error e;

	is_int(parse(text, &c, &e), want, "config refused: %s", desc);
	if (!ok(strstr(e.msg, why), "... the message says \"%s\"", why))
		printf("#   message: \"%s\"\n", e.msg);
	ok(!c.search_dir && !c.state_dir && !c.nca && !c.mode, "... and the configuration is freed");
}

static void test_parse(void)
{
	struct fw_config c;
	struct fw_error e;
	char many[64 * (CONFIG_MAX_CA + 1)] = "";
	int ret;

	is_int(parse("", &c, &e), 0, "an empty configuration parses");
	is_str(c.search_dir, "/lib/firmware/updates", "... default search_dir");
	is_str(c.state_dir, "/var/lib/fwverify", "... default state_dir");
	is_str(c.quarantine_dir, "/var/lib/fwverify/quarantine", "... default quarantine_dir");
	is_int(c.keep, 3, "... default keep");
	ok(!c.nca && !c.mode && !c.policy, "... no ca, mode or policy");
	config_free(&c);

	ret = parse("# a comment\n"
		    "\n"
		    "   \t\n"
		    "search_dir = /srv/fw\n"
		    "  state_dir=/srv/state  \r\n"
		    "quarantine_dir =\t/srv/q\n"
		    "  # an indented comment\n"
		    "ca = /etc/a.pem\n"
		    "ca = /etc/b c.pem\n"
		    "keep = 0\n"
		    "mode = enforce\n"
		    "policy = /etc/fwverify/rules\n"
		    "search_dir = /srv/fw2", &c, &e);
	is_int(ret, 0, "every key, comments, blank lines, spaces, CRLF, no final newline");
	if (ret) {
		printf("#   message: %s\n", e.msg);
		return;
	}
	is_str(c.search_dir, "/srv/fw2", "... a repeated key: the last one counts");
	is_str(c.state_dir, "/srv/state", "... spaces and CR around the value trimmed");
	is_str(c.quarantine_dir, "/srv/q", "... a tab after '=' trimmed");
	is_int(c.nca, 2, "... two ca lines");
	is_str(c.ca[0], "/etc/a.pem", "... the first ca");
	is_str(c.ca[1], "/etc/b c.pem", "... the second ca, with a space inside");
	is_int(c.keep, 0, "... keep 0");
	is_str(c.mode, "enforce", "... mode");
	is_str(c.policy, "/etc/fwverify/rules", "... policy");
	config_free(&c);
	ok(!c.search_dir && !c.nca && !c.mode, "config_free empties it");

	is_int(parse("keep = 100\nmode = off\nmode = log\n", &c, &e), 0, "keep 100, mode twice");
	is_int(c.keep, 100, "... keep 100, the most");
	is_str(c.mode, "log", "... the last mode");
	config_free(&c);

	refuses("search_dir = relative/dir\n", -EINVAL, "line 1: search_dir must be an absolute path",
		"a relative search_dir");
	refuses("\n\nstate_dir = \n", -EINVAL, "line 3: state_dir must be an absolute path", "an empty state_dir");
	refuses("quarantine_dir = ~/q\n", -EINVAL, "quarantine_dir must be an absolute path",
		"a quarantine_dir starting with ~");
	refuses("policy = rules\n", -EINVAL, "policy must be an absolute path", "a relative policy");
	refuses("ca = a.pem\n", -EINVAL, "ca must be an absolute path", "a relative ca");
	refuses("keep = 101\n", -EINVAL, "keep must be a number from 0 to 100", "keep 101");
	refuses("keep = -1\n", -EINVAL, "keep must be a number from 0 to 100", "keep -1");
	refuses("keep = +1\n", -EINVAL, "keep must be a number from 0 to 100", "keep +1");
	refuses("keep = 3 generations\n", -EINVAL, "keep must be a number from 0 to 100", "keep with words");
	refuses("keep =\n", -EINVAL, "keep must be a number from 0 to 100", "an empty keep");
	refuses("keep = 18446744073709551617\n", -EINVAL, "keep must be a number from 0 to 100",
		"keep past 2^64");
	refuses("mode = Enforce\n", -EINVAL, "mode must be off, log or enforce", "mode Enforce (case)");
	refuses("mode = \n", -EINVAL, "mode must be off, log or enforce", "an empty mode");
	refuses("serach_dir = /srv\n", -EINVAL, "line 1: unknown key 'serach_dir'", "a misspelt key");
	refuses("Search_dir = /srv\n", -EINVAL, "unknown key", "a key in another case");
	refuses("= /srv\n", -EINVAL, "unknown key ''", "no key");
	refuses("# ok\nsearch_dir /srv\n", -EINVAL, "line 2: expected 'key = value'", "a line without '='");
	for (int i = 0; i <= CONFIG_MAX_CA; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "ca = /etc/ca%d.pem\n", i);
	refuses(many, -E2BIG, "line 17: more than 16 ca lines", "CONFIG_MAX_CA + 1 ca lines");
	many[strlen(many) - strlen("ca = /etc/ca16.pem\n")] = '\0';
	is_int(parse(many, &c, &e), 0, "CONFIG_MAX_CA ca lines: taken");
	is_int(c.nca, CONFIG_MAX_CA, "... all of them");
	config_free(&c);
	{
		static const char nul[] = "search_dir = /srv\0/x\n";

		is_int(config_parse(nul, sizeof(nul) - 1, &c, &e), -EINVAL, "a NUL byte: -EINVAL");
		ok(strstr(e.msg, "NUL"), "... the message says so");
		ok(!c.search_dir, "... and the configuration is freed");
	}
}

static char dir[] = "/tmp/fwverify-test-config.XXXXXX";

/* Write @text to <dir>/@name.  Return: the path (static). */
static const char *put(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void test_load(void)
{
	char missing[128];
	struct fw_error e;
	struct fw_config c;
	const char *p;

	if (!ok(mkdtemp(dir), "a temporary directory"))
		return;
	p = put("good.conf", "search_dir = /srv/fw\nkeep = 5\n");
	is_int(config_load(p, &c, &e), 0, "config_load reads a named file");
	is_str(c.search_dir, "/srv/fw", "... its search_dir");
	is_int(c.keep, 5, "... its keep");
	is_str(c.state_dir, "/var/lib/fwverify", "... and the defaults for the rest");
	config_free(&c);

	p = put("empty.conf", "");
	is_int(config_load(p, &c, &e), 0, "an empty file means the defaults");
	is_str(c.search_dir, "/lib/firmware/updates", "... default search_dir");
	config_free(&c);

	p = put("bad.conf", "keep = 3\nmode = strict\n");
	is_int(config_load(p, &c, &e), -EINVAL, "a bad file: -EINVAL");
	ok(!strncmp(e.msg, p, strlen(p)) && strstr(e.msg, ": line 2: mode must be"),
	   "... the message names the file and the line");
	if (!strstr(e.msg, ": line 2: mode must be"))
		printf("#   message: \"%s\"\n", e.msg);

	snprintf(missing, sizeof(missing), "%s/missing.conf", dir);
	is_int(config_load(missing, &c, &e), -ENOENT, "a named file that is missing: -ENOENT");
	ok(strstr(e.msg, missing), "... the message names it");

	is_int(config_load(dir, &c, &e) < 0, 1, "a directory as the file: refused");

	p = put("env.conf", "state_dir = /srv/env-state\n");
	setenv("FWVERIFY_CONFIG", p, 1);
	is_int(config_load(NULL, &c, &e), 0, "no path: $FWVERIFY_CONFIG is read");
	is_str(c.state_dir, "/srv/env-state", "... its state_dir");
	config_free(&c);
	p = put("other.conf", "state_dir = /srv/named\n");
	is_int(config_load(p, &c, &e), 0, "a path given wins over $FWVERIFY_CONFIG");
	is_str(c.state_dir, "/srv/named", "... its state_dir");
	config_free(&c);
	setenv("FWVERIFY_CONFIG", missing, 1);
	is_int(config_load(NULL, &c, &e), -ENOENT, "$FWVERIFY_CONFIG naming a missing file: -ENOENT");
	unsetenv("FWVERIFY_CONFIG");

	unlink(put("good.conf", ""));
	unlink(put("empty.conf", ""));
	unlink(put("bad.conf", ""));
	unlink(put("env.conf", ""));
	unlink(put("other.conf", ""));
	rmdir(dir);
}

int main(void)
{
	test_parse();
	test_load();
	return done_testing();
}
