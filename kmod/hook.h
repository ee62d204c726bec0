/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attachment of fwverify to the firmware loader, in one of two forms:
 * hook.c (the module: ftrace) or lsm.c (built in: an LSM); and main.c's
 * start of the rest, which lsm.c runs as the LSM's late initcall.
 */
#ifndef _FWVERIFY_HOOK_H
#define _FWVERIFY_HOOK_H

extern const char *const fwverify_form;

int fwverify_init(void);
int fwverify_hook_init(void);
void fwverify_hook_exit(void);

#endif /* _FWVERIFY_HOOK_H */
