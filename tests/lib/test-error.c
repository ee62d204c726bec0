// SPDX-License-Identifier: GPL-2.0
/*
 * lib/error.h: fw_error_set() and fw_error_at() return the errno they are
 * given, fill the message or the path and clear the other, accept a NULL
 * error, cut a long text safely, and may quote the error's own message.
 */
#include <errno.h>
#include <string.h>

#include "error.h"
#include "tap.h"

static void test_set(void)
{
	struct fw_error e = { 0 };

	is_int(fw_error_set(&e, -ENOENT, "%s: no such file", "/x/fw.bin"), -ENOENT,
	       "fw_error_set() returns the errno it was given");
	is_int(e.err, -ENOENT, "... and records it");
	is_str(e.msg, "/x/fw.bin: no such file", "... with the message formatted");
	is_str(e.path, "", "... and no path");

	is_int(fw_error_at(&e, -EACCES, "%s/%s", "/var/lib/fwverify", "lock"), -EACCES,
	       "fw_error_at() returns the errno it was given");
	is_str(e.path, "/var/lib/fwverify/lock", "... records the path formatted");
	is_str(e.msg, "", "... and clears the message set before");

	fw_error_set(&e, -EINVAL, "bad");
	is_str(e.path, "", "fw_error_set() clears the path set before");
}

static void test_null(void)
{
	is_int(fw_error_set(NULL, -EBADMSG, "%s", "ignored"), -EBADMSG, "fw_error_set(NULL) returns the errno");
	is_int(fw_error_at(NULL, -ELOOP, "%s", "ignored"), -ELOOP, "fw_error_at(NULL) returns the errno");
	is_int(fw_error_set(NULL, 0, "nothing"), 0, "... and 0 when given 0");
}

static void test_long(void)
{
	static char big[3 * PATH_MAX];
	struct fw_error e;

	memset(big, 'a', sizeof(big) - 1);
	memset(&e, 0x55, sizeof(e));
	is_int(fw_error_set(&e, -E2BIG, "%s: %s", "head", big), -E2BIG, "a message longer than the buffer");
	is_int(strlen(e.msg), sizeof(e.msg) - 1, "... is cut to fit, NUL-terminated");
	ok(!strncmp(e.msg, "head: aaa", 9), "... keeping its start");

	memset(&e, 0x55, sizeof(e));
	fw_error_at(&e, -ENAMETOOLONG, "/%s", big);
	is_int(strlen(e.path), sizeof(e.path) - 1, "a path longer than the buffer is cut to fit");
	is_str(e.msg, "", "... the message empty");
}

static void test_own_message(void)
{
	struct fw_error e;

	fw_error_set(&e, -EINVAL, "line 3: unknown key");
	fw_error_set(&e, e.err, "%s: %s", "/etc/fwverify/fwverify.conf", e.msg);
	is_str(e.msg, "/etc/fwverify/fwverify.conf: line 3: unknown key",
	       "a message may quote the error's own message");
}

int main(void)
{
	test_set();
	test_null();
	test_long();
	test_own_message();
	return done_testing();
}
