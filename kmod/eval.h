/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eval.c: the evaluators.  One per way firmware reaches the kernel: each
 * builds an event, finds the mode, has it verified, decides and reports.
 * And the mode and max_size parameters.
 */
#ifndef _FWVERIFY_EVAL_H
#define _FWVERIFY_EVAL_H

#include <linux/kernel_read_file.h>

#include "fwverify.h"

struct file;
struct fwverify_request;

int fwverify_evaluate_read(struct file *file, void *buf, size_t size);
int fwverify_evaluate_partial(struct file *file);
int fwverify_evaluate_load_data(bool contents);
int fwverify_evaluate_post_load_data(void *buf, size_t size,
				     const char *description);
ssize_t fwverify_request_done(struct fwverify_request *req, void **buf,
			      bool allocated, ssize_t ret);
ssize_t fwverify_read_firmware_path(const char *path, loff_t offset,
				    void **buf, size_t buf_size,
				    size_t *file_size,
				    enum kernel_read_file_id id);
void fwverify_unguard(void);
int fwverify_check_path(const char *path, struct fwverify_event *ev);
void fwverify_check_free(struct fwverify_event *ev);
enum fwverify_mode fwverify_mode(void);
bool fwverify_active(void);

#endif /* _FWVERIFY_EVAL_H */
