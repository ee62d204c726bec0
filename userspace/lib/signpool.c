// SPDX-License-Identifier: GPL-2.0
/*
 * Signing many files in parallel (signpool.h): worker threads take whole
 * files in argument order; each keeps the reason of its failure in the
 * file's slot, and the caller hears of each file in argument order as
 * files complete, so the output is the same for any number of threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "signpool.h"
#include "util.h"

struct pool {
	const struct cms_signer *s;
	const char *out;
	struct sign_job *jobs;
	size_t n, next;
	pthread_mutex_t lock;
	pthread_cond_t done;
};

static void fail(struct sign_job *j, const char *what, int err)
{
	j->what = what;
	j->err = err;
	openssl_error_text(j->ssl, sizeof(j->ssl));
}

static void sign_one(const struct cms_signer *s, const char *out, struct sign_job *j)
{
	_cleanup_(closep) int fd = open_regular(j->file, 0);
	unsigned char *der;
	size_t len;
	int err;

	if (fd < 0) {
		fail(j, "cannot open", fd);
		return;
	}
	err = cms_sign_fd(s, fd, j->name, &der, &len);
	if (err) {
		/* digest_fd() passes read()'s errno on; the rest are failures to sign. */
		fail(j, err == -EBADMSG || err == -ENOPKG || err == -ENOMEM || err == -EINVAL ||
			err == -EAFNOSUPPORT ? "cannot sign" : "cannot read", err);
		return;
	}
	if (out)
		j->sig = strdup(out);
	else if (asprintf(&j->sig, "%s.p7s", j->file) < 0)
		j->sig = NULL;
	err = j->sig ? write_file_atomic(j->sig, der, len, 0644) : -ENOMEM;
	OPENSSL_free(der);
	if (err) {
		j->on_sig = j->sig != NULL;
		fail(j, "cannot write signature", err);
	}
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			return NULL;
		ERR_clear_error();
		sign_one(p->s, p->out, &p->jobs[i]);
		pthread_mutex_lock(&p->lock);
		p->jobs[i].done = true;
		pthread_cond_signal(&p->done);
		pthread_mutex_unlock(&p->lock);
	}
}

int sign_jobs(const struct cms_signer *s, const char *out, struct sign_job *jobs, size_t n, long threads,
	      void (*done)(const struct sign_job *j, void *ctx), void *ctx)
{
	_cleanup_(freep) pthread_t *tid = calloc(threads > 0 ? threads : 1, sizeof(*tid));
	struct pool p = { .s = s, .out = out, .jobs = jobs, .n = n };
	long started = 0;

	if (!tid)
		return -ENOMEM;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.done, NULL);
	while (started < threads && (size_t)started < n && !pthread_create(&tid[started], NULL, worker, &p))
		started++;
	if (!started)
		worker(&p);
	for (size_t i = 0; i < n; i++) {
		pthread_mutex_lock(&p.lock);
		while (!jobs[i].done)
			pthread_cond_wait(&p.done, &p.lock);
		pthread_mutex_unlock(&p.lock);
		done(&jobs[i], ctx);
	}
	for (long t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_cond_destroy(&p.done);
	pthread_mutex_destroy(&p.lock);
	return 0;
}
