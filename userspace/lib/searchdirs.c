// SPDX-License-Identifier: GPL-2.0
/*
 * Where firmware lives (searchdirs.h): the directories the kernel's loader
 * searches, as configured and as resolved, and a path walked below one of
 * them a component at a time, without following a symlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress.h"
#include "kstate.h"
#include "searchdirs.h"
#include "util.h"

#define FIRMWARE_CLASS_PATH "module/firmware_class/parameters/path"

void search_dirs_free(struct search_dirs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->d[i]);
	s->n = 0;
}

static int dirs_put(struct search_dirs *s, const char *dir, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->d[i]) == len && !strncmp(s->d[i], dir, len))
			return 0;
	if (s->n == SEARCH_DIRS_MAX)
		return -E2BIG;
	s->d[s->n] = strndup(dir, len);
	return s->d[s->n] ? (s->n++, 0) : -ENOMEM;
}

/* Add @dir as spelled and as resolved (/lib may be a link to /usr/lib); a relative or missing one is skipped. */
static int dirs_add(struct search_dirs *s, const char *dir)
{
	_cleanup_(freep) char *real = NULL;
	size_t len = strlen(dir);
	int err;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (dir[0] != '/' || len < 2)
		return 0;
	err = dirs_put(s, dir, len);
	real = realpath(dir, NULL);
	if (!err && real && strcmp(real, "/"))
		err = dirs_put(s, real, strlen(real));
	return err;
}

int search_dirs_load(struct search_dirs *s, const struct fw_config *c)
{
	static const char *const fixed[] = {
		"/lib/firmware/updates", "/lib/firmware", "/usr/lib/firmware/updates", "/usr/lib/firmware",
	};
	_cleanup_(freep) char *param = NULL;
	int err = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && !err; i++)
		err = dirs_add(s, fixed[i]);
	if (!err && !kstate_read(FIRMWARE_CLASS_PATH, PATH_MAX, &param))
		err = dirs_add(s, param);
	if (!err && c->search_dir)
		err = dirs_add(s, c->search_dir);
	return err;
}

bool search_dirs_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/*
 * Walk @rel below the directory @top without following a symlink, and open
 * the directory holding its last component.  "", "." and ".." are refused.
 * Return: 0, -EINVAL for such a component, -ELOOP or -ENOTDIR for a symlink
 * or a file on the way, or another -errno.
 */
static int walk_below(const char *top, const char *rel, int *dirfd, char **base)
{
	_cleanup_(freep) char *copy = strdup(rel);
	_cleanup_(closep) int fd = -1;
	char *p, *next, *slash;
	int sub;

	if (!copy)
		return -ENOMEM;
	fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (p = copy;; p = next) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		next = slash ? slash + 1 : NULL;
		if (!*p || !strcmp(p, ".") || !strcmp(p, ".."))
			return -EINVAL;
		if (!next)
			break;
		sub = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return -errno;
		close(fd);
		fd = sub;
	}
	*base = strdup(p);
	if (!*base)
		return -ENOMEM;
	*dirfd = fd;
	fd = -1;
	return 0;
}

void located_free(struct located *l)
{
	closep(&l->dir);
	closep(&l->fd);
	free(l->base);
	free(l->rel);
	l->dir = l->fd = -1;
	l->base = l->rel = NULL;
}

/*
 * Walked from the deepest directory that holds it: /lib/firmware/updates
 * may be a link to a generation, which the walk from /lib/firmware would
 * refuse.
 */
int search_dirs_locate(const struct search_dirs *s, const char *path, struct located *l)
{
	size_t best = s->n, len = 0;
	struct stat st;
	int err;

	for (size_t i = 0; i < s->n; i++)
		if (search_dirs_below(path, s->d[i]) && strlen(s->d[i]) > len)
			best = i, len = strlen(s->d[i]);
	if (best == s->n || !path[len] || !path[len + 1])
		return -EPERM;
	err = walk_below(s->d[best], path + len + 1, &l->dir, &l->base);
	if (err)
		return err;
	l->fd = openat(l->dir, l->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (l->fd < 0)
		err = -errno;
	else if (fstat(l->fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -ENOTREG;
	else if (!(l->rel = strdup(path + len + 1)))
		err = -ENOMEM;
	if (err)
		located_free(l);
	return err;
}

char *search_dirs_name_of(const char *rel)
{
	const char *sfx = decompress_suffix(rel);

	return strndup(rel, strlen(rel) - (sfx ? strlen(sfx) : 0));
}
