/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A release manifest: the names, sizes and SHA-256 digests of every file of
 * a release, a generation number that must strictly grow, and an expiry.
 * It is signed like firmware (fwverify.manifest + fwverify.manifest.p7s at
 * the top of the release).  Library code: returns 0 or -errno, no logging.
 */
#ifndef FWVERIFY_MANIFEST_H
#define FWVERIFY_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cms.h"
#include "error.h"

#define MANIFEST_NAME "fwverify.manifest"
#define MANIFEST_MAX (16 * 1024 * 1024)

struct manifest_entry {
	char *name;		/* relative path inside the release */
	uint64_t size;
	unsigned char sha256[32];
};

struct manifest {
	uint64_t generation;
	int64_t expires;	/* seconds since the epoch, UTC */
	struct manifest_entry *e;
	size_t n;
};

int manifest_parse(const char *text, size_t len, struct manifest *m, struct fw_error *e);
void manifest_free(struct manifest *m);
const struct manifest_entry *manifest_find(const struct manifest *m, const char *name);
void manifest_time(int64_t t, char *buf, size_t size);
/* A manifest's expiry as given: YYYY-MM-DD (00:00 UTC), YYYY-MM-DDTHH:MM:SSZ, or +Nd from @now. */
int manifest_parse_time(const char *s, time_t now, int64_t *t);
/* A name a firmware tree may hold: relative, no "."/".."/empty component, no control character. */
bool manifest_name_ok(const char *name);
/* A signature ("*.p7s") or the manifest itself: names a manifest does not list. */
bool manifest_name_reserved(const char *name);
/*
 * Write <base>/fwverify.manifest for @files (paths under @base) and sign it
 * with @s into fwverify.manifest.p7s.  Called by "fwverify sign --manifest".
 */
int manifest_rel_name(const char *rbase, const char *file, char **name, struct fw_error *e);
int manifest_sign(const struct cms_signer *s, const char *base, char *const *files, size_t n,
		  uint64_t generation, int64_t expires, struct fw_error *e);

#endif
