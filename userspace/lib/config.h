/* SPDX-License-Identifier: GPL-2.0 */
/* /etc/fwverify/fwverify.conf: where the managed tree lives and what is re-applied at boot. */
#ifndef FWVERIFY_CONFIG_H
#define FWVERIFY_CONFIG_H

#include <stddef.h>

#include "error.h"

#define CONFIG_DEFAULT_PATH "/etc/fwverify/fwverify.conf"
#define CONFIG_MAX_CA 16
/* Largest configuration file read. */
#define CONFIG_FILE_MAX (64 * 1024)

struct fw_config {
	char *search_dir;	/* the managed firmware directory: a symlink to a generation */
	char *state_dir;	/* generations, lock, high-water mark, persistent revoke list */
	char *quarantine_dir;	/* where quarantine moves failing blobs */
	char *ca[CONFIG_MAX_CA];/* offline trust anchors (PEM) for stage and verify */
	size_t nca;
	unsigned int keep;	/* old generations kept for rollback */
	char *mode;		/* re-applied at boot when set: off, log or enforce */
	char *policy;		/* a rules file re-applied at boot when set */
};

int config_parse(const char *text, size_t len, struct fw_config *c, struct fw_error *e);
int config_load(const char *path, struct fw_config *c, struct fw_error *e);
void config_free(struct fw_config *c);

/* For _cleanup_(config_freep). */
static inline void config_freep(struct fw_config *c)
{
	config_free(c);
}

#endif
