/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The library's one error convention, as libkmod's and systemd's:
 *
 *   - A function that can fail returns a negative errno on failure, and
 *     on success 0, or the count, size or descriptor it is there to give.
 *     Never -1, never false for a failure an errno can name; a predicate
 *     (is this a valid name?) returns bool, a verdict fills its struct.
 *   - When the errno alone cannot say what went wrong, the function takes
 *     a struct fw_error *e as its last parameter and fills it on failure
 *     with one call that returns the errno it was given:
 *
 *         return fw_error_set(e, -ENOENT, "%s: no such file", path);
 *
 *     @e may be NULL (the caller wants the errno only); on success it is
 *     left untouched, so one fw_error can serve several calls.
 *   - fw_error_set() writes the whole message, as the command prints it
 *     after "fwverify: ", naming the file when one is concerned.
 *     fw_error_at() records only the path concerned, for a caller that
 *     says itself what it was doing ("cannot make a staging area").
 *   - The library does not log: the command reports once, with context.
 */
#ifndef FWVERIFY_ERROR_H
#define FWVERIFY_ERROR_H

#include <limits.h>

/* Longest message kept, NUL included: a whole path and what befell it; longer ones are cut. */
#define FW_ERROR_MSG_MAX (PATH_MAX + 512)

struct fw_error {
	int err;			/* the negative errno last set */
	char path[PATH_MAX];		/* the path concerned (fw_error_at()), else "" */
	char msg[FW_ERROR_MSG_MAX];	/* what went wrong (fw_error_set()), else "" */
};

/*
 * Record @err and the message @fmt in @e (when not NULL), the path cleared.
 * Return: @err.
 */
int fw_error_set(struct fw_error *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * Record @err and the path concerned, @fmt formatted, in @e (when not
 * NULL), the message cleared.  Return: @err.
 */
int fw_error_at(struct fw_error *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
