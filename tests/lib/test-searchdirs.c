// SPDX-License-Identifier: GPL-2.0
/*
 * lib/decompress.h and lib/searchdirs.h, the names: the compression suffix
 * the loader may have added (decompress_suffix), the name a compressed
 * file answers (search_dirs_name_of), and whether a path lies in a
 * directory (search_dirs_below).
 */
#include <stdlib.h>

#include "decompress.h"
#include "searchdirs.h"
#include "tap.h"

static void suffix(const char *name, const char *want)
{
	is_str(decompress_suffix(name), want, "decompress_suffix(\"%s\")", name);
}

static void test_suffix(void)
{
	is_str(decompress_suffixes[0], ".xz", "the loader's suffixes: .xz first");
	is_str(decompress_suffixes[1], ".zst", "... then .zst");
	ok(!decompress_suffixes[2], "... and no other");
	suffix("fw.bin.xz", ".xz");
	suffix("intel/fw.bin.zst", ".zst");
	suffix("a.xz", ".xz");
	ok(decompress_suffix("fw.xz") == decompress_suffixes[0], "the suffix returned is the table's string");
	suffix("fw.bin", NULL);
	suffix("", NULL);
	suffix(".xz", NULL);
	suffix(".zst", NULL);
	suffix("fw.XZ", NULL);
	suffix("fw.zstd", NULL);
	suffix("fw.gz", NULL);
	suffix("fw.xz.p7s", NULL);
	suffix("fw.bin.xz.zst", ".zst");
	suffix("fwxz", NULL);
}

static void name_of(const char *rel, const char *want)
{
	char *n = search_dirs_name_of(rel);

	is_str(n, want, "search_dirs_name_of(\"%s\")", rel);
	free(n);
}

static void test_name_of(void)
{
	name_of("fw.bin", "fw.bin");
	name_of("fw.bin.xz", "fw.bin");
	name_of("intel/fw.bin.zst", "intel/fw.bin");
	name_of("fw.bin.xz.zst", "fw.bin.xz");
	name_of("fw.bin.zst.xz", "fw.bin.zst");
	name_of(".xz", ".xz");
	name_of("fw.bin.p7s", "fw.bin.p7s");
	name_of("", "");
}

static void below(const char *path, const char *dir, bool want)
{
	ok(search_dirs_below(path, dir) == want, "\"%s\" is %sbelow \"%s\"", path, want ? "" : "not ", dir);
}

static void test_below(void)
{
	below("/lib/firmware/fw.bin", "/lib/firmware", true);
	below("/lib/firmware/intel/fw.bin", "/lib/firmware", true);
	below("/lib/firmware", "/lib/firmware", true);
	below("/lib/firmware/", "/lib/firmware", true);
	below("/lib/firmwarex/fw.bin", "/lib/firmware", false);
	below("/lib/firmware-old/fw.bin", "/lib/firmware", false);
	below("/lib/firm", "/lib/firmware", false);
	below("/lib", "/lib/firmware", false);
	below("/usr/lib/firmware/fw.bin", "/lib/firmware", false);
	below("lib/firmware/fw.bin", "/lib/firmware", false);
	below("/lib/firmware/updates/fw.bin", "/lib/firmware/updates", true);
	below("/lib/firmware/fw.bin", "/lib/firmware/updates", false);
}

int main(void)
{
	test_suffix();
	test_name_of();
	test_below();
	return done_testing();
}
