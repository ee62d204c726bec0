/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * What the fwverify module and the fwverify tool share: the results,
 * sources and modes, with the names the module writes for them (sysfs,
 * audit records, uevents, the check file and the kernel log), and the
 * files of /sys/kernel/fwverify/stats/.  Each name is defined here once.
 * Plain C with no kernel types: the tool includes this file as it is.
 */
#ifndef _UAPI_FWVERIFY_H
#define _UAPI_FWVERIFY_H

/* The outcome of checking one firmware file. */
enum fwverify_result {
	FWVERIFY_VERIFIED,
	FWVERIFY_UNSIGNED,
	FWVERIFY_BAD_SIGNATURE,
	FWVERIFY_UNTRUSTED,
	FWVERIFY_REVOKED,
	FWVERIFY_MALFORMED,
	FWVERIFY_ERROR,
	FWVERIFY_RESULT_NR
};

#define FWVERIFY_NAME_VERIFIED		"verified"
#define FWVERIFY_NAME_UNSIGNED		"unsigned"
#define FWVERIFY_NAME_BAD_SIGNATURE	"bad-signature"
#define FWVERIFY_NAME_UNTRUSTED		"untrusted"
#define FWVERIFY_NAME_REVOKED		"revoked"
#define FWVERIFY_NAME_MALFORMED		"malformed"
#define FWVERIFY_NAME_ERROR		"error"

/*
 * The names by result, to initialise an array indexed by result, so that
 * the module and the tool hold one list:
 *	static const char *const names[FWVERIFY_RESULT_NR] =
 *		FWVERIFY_RESULT_NAMES;
 */
#define FWVERIFY_RESULT_NAMES {					\
	[FWVERIFY_VERIFIED]	 = FWVERIFY_NAME_VERIFIED,		\
	[FWVERIFY_UNSIGNED]	 = FWVERIFY_NAME_UNSIGNED,		\
	[FWVERIFY_BAD_SIGNATURE] = FWVERIFY_NAME_BAD_SIGNATURE,	\
	[FWVERIFY_UNTRUSTED]	 = FWVERIFY_NAME_UNTRUSTED,		\
	[FWVERIFY_REVOKED]	 = FWVERIFY_NAME_REVOKED,		\
	[FWVERIFY_MALFORMED]	 = FWVERIFY_NAME_MALFORMED,		\
	[FWVERIFY_ERROR]	 = FWVERIFY_NAME_ERROR,			\
}

/* Counters in /sys/kernel/fwverify/stats/: one per result, then actions. */
enum fwverify_stat {
	FWVERIFY_STAT_DENIED = FWVERIFY_RESULT_NR,
	FWVERIFY_STAT_ALLOWED,
	FWVERIFY_STAT_CACHED,
	FWVERIFY_STAT_NR
};

/* The file of each counter: a result's name, but with '_' for '-'. */
#define FWVERIFY_STAT_FILE_VERIFIED		"verified"
#define FWVERIFY_STAT_FILE_UNSIGNED		"unsigned"
#define FWVERIFY_STAT_FILE_BAD_SIGNATURE	"bad_signature"
#define FWVERIFY_STAT_FILE_UNTRUSTED		"untrusted"
#define FWVERIFY_STAT_FILE_REVOKED		"revoked"
#define FWVERIFY_STAT_FILE_MALFORMED		"malformed"
#define FWVERIFY_STAT_FILE_ERROR		"error"
#define FWVERIFY_STAT_FILE_DENIED		"denied"
#define FWVERIFY_STAT_FILE_ALLOWED		"allowed"
#define FWVERIFY_STAT_FILE_CACHED		"cached"

/* The mode parameter and the actions of policy rules. */
enum fwverify_mode {
	FWVERIFY_MODE_OFF,
	FWVERIFY_MODE_LOG,
	FWVERIFY_MODE_ENFORCE,
};

#define FWVERIFY_NAME_MODE_OFF		"off"
#define FWVERIFY_NAME_MODE_LOG		"log"
#define FWVERIFY_NAME_MODE_ENFORCE	"enforce"

/* How the firmware reached the kernel. */
enum fwverify_source {
	FWVERIFY_SRC_FILE,	/* a whole file read from a firmware directory */
	FWVERIFY_SRC_PARTIAL,	/* a partial read: verified whole in the pre hook */
	FWVERIFY_SRC_FALLBACK,	/* the sysfs fallback or fw_upload: no file */
	FWVERIFY_SRC_PLATFORM,	/* platform (EFI embedded) firmware: no file */
	FWVERIFY_SRC_CHECK,	/* securityfs check: verified, never loaded */
};

#define FWVERIFY_NAME_SRC_FILE		"file"
#define FWVERIFY_NAME_SRC_PARTIAL	"partial"
#define FWVERIFY_NAME_SRC_FALLBACK	"fallback"
#define FWVERIFY_NAME_SRC_PLATFORM	"platform"
#define FWVERIFY_NAME_SRC_CHECK		"check"

/* The action a decision took, as reports write it. */
#define FWVERIFY_NAME_ALLOWED		"allowed"
#define FWVERIFY_NAME_DENIED		"denied"

#endif /* _UAPI_FWVERIFY_H */
