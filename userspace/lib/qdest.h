/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A quarantine's destination: <quarantine_dir>/<time>-<name>-<random>/,
 * private to root, with a firmware/ directory that refused files are moved
 * into.  Library code: returns 0 or -errno and does not log.
 */
#ifndef FWVERIFY_QDEST_H
#define FWVERIFY_QDEST_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "digest.h"
#include "searchdirs.h"

/* "sha256:<hex>" */
#define QDEST_DIGEST_TEXT (8 + 2 * DIGEST_MAX)

/* What one quarantine writes to: the record's directory and its firmware/ subdirectory. */
struct qdest {
	char *dir;		/* <quarantine_dir>/<id> */
	int fw;			/* its firmware/ directory */
};

/* What one file taken became. */
struct qtaken {
	char to[NAME_MAX + 16];		/* "firmware/<safe name>" in the record's directory */
	int64_t size;
	char digest[QDEST_DIGEST_TEXT];	/* "sha256:<hex>" */
};

/*
 * Make <qdir>/<time>-<name>-<random>/firmware, private to root.  The
 * quarantine directory must not lie in a search directory of @s: what is
 * moved there would still be found.  Return: 0, -ELOOP for such a
 * directory, or -errno.
 */
int qdest_make(const char *qdir, const struct search_dirs *s, const char *name, time_t t,
	       struct qdest *d);
/* Remove the record's directories when nothing was moved into them: evidence is never deleted. */
void qdest_abandon(const struct qdest *d);
void qdest_free(struct qdest *d);
/*
 * Take @sname from @sdir: move it into @d (or, with @d NULL, a dry run:
 * leave it), and say in @t what was taken.  It is hashed before it moves,
 * so that a failure leaves it in place, and hashed again where it arrived
 * only if it may have changed on the way.  Return: 0, -ENOENT, -ELOOP for
 * a symlink, -ENOTREG, or -errno.
 */
int qdest_take(int sdir, const char *sname, const struct qdest *d, struct qtaken *t);

#endif
