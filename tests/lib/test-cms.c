// SPDX-License-Identifier: GPL-2.0
/*
 * lib/cms.h, the signed firmware name: which names may be signed
 * (cms_name_valid) and which files a signed name fits (cms_name_matches).
 */
#include <string.h>

#include "cms.h"
#include "tap.h"

static void test_name_valid(void)
{
	char name[CMS_NAME_MAX + 2];

	ok(cms_name_valid("fw.bin"), "\"fw.bin\" may be signed");
	ok(cms_name_valid("intel/iwlwifi-9000.ucode"), "a name with a directory may be signed");
	ok(cms_name_valid("caf\xc3\xa9/fw.bin"), "a UTF-8 name may be signed");
	ok(!cms_name_valid(""), "the empty name may not");
	ok(!cms_name_valid("/lib/firmware/fw.bin"), "an absolute name may not");
	ok(!cms_name_valid("../fw.bin"), "a \"..\" component may not");
	ok(!cms_name_valid("intel/./fw.bin"), "a \".\" component may not");
	ok(!cms_name_valid("intel//fw.bin"), "an empty component may not");
	ok(!cms_name_valid("intel/"), "a trailing slash may not");
	ok(!cms_name_valid("fw\n.bin"), "a newline may not");
	ok(!cms_name_valid("fw\t.bin"), "a tab may not");
	memset(name, 'a', CMS_NAME_MAX);
	name[CMS_NAME_MAX] = '\0';
	ok(cms_name_valid(name), "a name of CMS_NAME_MAX (%d) bytes may be signed", CMS_NAME_MAX);
	for (int i = 1; i < CMS_NAME_MAX; i += 2)
		name[i] = '/';
	ok(cms_name_valid(name), "... also in one-byte components");
	memset(name, 'a', CMS_NAME_MAX + 1);
	name[CMS_NAME_MAX + 1] = '\0';
	ok(!cms_name_valid(name), "a name of CMS_NAME_MAX + 1 bytes may not");
}

static void matches(const char *signed_name, const char *path, bool want)
{
	ok(cms_name_matches(signed_name, path) == want, "signed name \"%s\" %s \"%s\"", signed_name,
	   want ? "fits" : "does not fit", path);
}

static void test_name_matches(void)
{
	matches("fw.bin", "fw.bin", true);
	matches("fw.bin", "/lib/firmware/fw.bin", true);
	matches("intel/fw.bin", "/lib/firmware/intel/fw.bin", true);
	matches("intel/fw.bin", "intel/fw.bin", true);
	matches("fw.bin", "/lib/firmware/intel/fw.bin", true);
	matches("intel/fw.bin", "/lib/firmware/intel/other.bin", false);
	matches("intel/fw.bin", "/lib/firmware/amd/fw.bin", false);
	matches("intel/fw.bin", "/lib/firmware/xintel/fw.bin", false);
	matches("fw.bin", "/lib/firmware/myfw.bin", false);
	matches("fw.bin", "myfw.bin", false);
	matches("fw.bin", "/lib/firmware/fw.bin.xz", false);
	matches("fw.bin.xz", "/lib/firmware/fw.bin", false);
	matches("intel/fw.bin", "fw.bin", false);
	matches("a/fw.bin", "/lib/firmware/b/a/fw.bin", true);
}

int main(void)
{
	test_name_valid();
	test_name_matches();
	return done_testing();
}
