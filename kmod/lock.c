// SPDX-License-Identifier: GPL-2.0
/*
 * The lock: writing 1 to /sys/kernel/security/fwverify/lock freezes mode,
 * trust, policy, max_size and max_entries until reboot, lets revocation only
 * grow (as it always does), and pins the module so that it cannot be
 * unloaded, not even by force.  Under kernel
 * lockdown (integrity or confidentiality) fwverify behaves as locked; the
 * lockdown level can be raised at run time, so it is looked at whenever a
 * knob is written and once a second (the lockdown LSM then logs a
 * rate-limited notice: fwverify found it locked down).  Parameters given
 * at load time, or on the kernel command line when built in, are where
 * fwverify starts, not a change: the lock applies from fwverify_lock_init().
 */
#define pr_fmt(fmt) "fwverify: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "audit.h"
#include "keyring.h"
#include "lock.h"

static bool fwverify_is_locked;
/* Parameters given at load or boot are the start, not a change: unlocked. */
static bool fwverify_lock_armed;
/* Serialises the lock with every change it freezes (fwverify_change_begin()). */
static DEFINE_MUTEX(fwverify_lock_mutex);
static struct delayed_work fwverify_lockdown_work;

/* Is the kernel locked down, at integrity or above? */
static bool fwverify_lockdown(void)
{
	return security_locked_down(LOCKDOWN_INTEGRITY_MAX) != 0;
}

#if defined(MODULE) && defined(CONFIG_MODULE_UNLOAD)
/*
 * delete_module() refuses a module that others depend on, forced or not
 * (CONFIG_MODULE_FORCE_UNLOAD only overrides the reference count).  Nothing
 * can depend on fwverify, which exports no symbol, so this use of itself is
 * the only entry its list will ever have: no other writer to race with.
 */
static struct module_use fwverify_self_use;

static void fwverify_pin_module(void)
{
	__module_get(THIS_MODULE);
	fwverify_self_use.source = THIS_MODULE;
	fwverify_self_use.target = THIS_MODULE;
	INIT_LIST_HEAD(&fwverify_self_use.target_list);
	list_add(&fwverify_self_use.source_list, &THIS_MODULE->source_list);
}
#else
/* Built in, or without module unloading: nothing can unload fwverify. */
static void fwverify_pin_module(void)
{
}
#endif

/* Caller holds fwverify_lock_mutex. */
static void __fwverify_lock(const char *why)
{
	lockdep_assert_held(&fwverify_lock_mutex);
	if (fwverify_is_locked)
		return;
	/* Pinned for good: a locked module cannot be unloaded, not even forced. */
	fwverify_pin_module();
	fwverify_keyring_freeze();
	WRITE_ONCE(fwverify_is_locked, true);
	pr_notice("locked (%s): mode, trust, policy and limits are frozen\n",
		  why);
	fwverify_audit_change("lock", 1);
}

/* Caller holds fwverify_lock_mutex: is anything still allowed to change? */
static bool __fwverify_frozen(void)
{
	if (!fwverify_lock_armed)
		return false;
	if (!fwverify_is_locked && fwverify_lockdown())
		__fwverify_lock("kernel lockdown");
	return fwverify_is_locked;
}

/**
 * fwverify_locked() - may mode, trust and policy still change?
 *
 * A hint for readers; a change takes fwverify_change_begin() instead, so
 * that the lock cannot come between its check and the change.
 *
 * Return: true if fwverify is locked, by its lock file or by lockdown.
 */
bool fwverify_locked(void)
{
	bool locked;

	if (!READ_ONCE(fwverify_lock_armed))
		return false;
	if (READ_ONCE(fwverify_is_locked))
		return true;
	mutex_lock(&fwverify_lock_mutex);
	locked = __fwverify_frozen();
	mutex_unlock(&fwverify_lock_mutex);
	return locked;
}

/**
 * fwverify_change_begin() - start a change of something the lock freezes
 *
 * On success the caller makes its change and then calls
 * fwverify_change_end(); the lock waits for it.
 *
 * Return: 0, or -EPERM (nothing held) if fwverify is locked.
 */
int fwverify_change_begin(void)
{
	mutex_lock(&fwverify_lock_mutex);
	if (__fwverify_frozen()) {
		mutex_unlock(&fwverify_lock_mutex);
		return -EPERM;
	}
	return 0;
}

/**
 * fwverify_change_end() - end a change begun by fwverify_change_begin()
 */
void fwverify_change_end(void)
{
	mutex_unlock(&fwverify_lock_mutex);
}

static void fwverify_do_lock(const char *why)
{
	mutex_lock(&fwverify_lock_mutex);
	__fwverify_lock(why);
	mutex_unlock(&fwverify_lock_mutex);
}

static void fwverify_lockdown_poll(struct work_struct *work)
{
	if (!fwverify_locked())
		schedule_delayed_work(&fwverify_lockdown_work, HZ);
}

static ssize_t fwverify_lock_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char buf[4];

	snprintf(buf, sizeof(buf), "%d\n", READ_ONCE(fwverify_is_locked));
	return simple_read_from_buffer(ubuf, count, ppos, buf, strlen(buf));
}

/*
 * The lock's words, and only them: "1", "y" or "on" lock, "0", "n" or
 * "off" do not, a newline may follow.  Not kstrtobool(), which reads a
 * word by its first letters and took more of them over time (7.x reads
 * "e..." as true): a mistyped or misdirected write must not lock until
 * reboot.
 */
static int fwverify_lock_parse(const char __user *ubuf, size_t count,
			       bool *lock)
{
	static const char *const words[] = { "0", "n", "off", "1", "y", "on" };
	char buf[5];
	int i;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (buf[count - 1] == '\n')
		buf[count - 1] = '\0';
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (!strcasecmp(buf, words[i])) {
			*lock = i >= ARRAY_SIZE(words) / 2;
			return 0;
		}
	}
	return -EINVAL;
}

static ssize_t fwverify_lock_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	bool lock;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = fwverify_lock_parse(ubuf, count, &lock);
	if (err)
		return err;
	if (!lock)
		return fwverify_locked() ? -EPERM : count;
	fwverify_do_lock("lock file");
	return count;
}

const struct file_operations fwverify_lock_fops = {
	.owner = THIS_MODULE,
	.read = fwverify_lock_read,
	.write = fwverify_lock_write,
	.llseek = generic_file_llseek,
};

/**
 * fwverify_lock_init() - the lock applies from now on
 *
 * Parameters given before are where fwverify starts, not a change.  Starts
 * watching for kernel lockdown.
 */
void fwverify_lock_init(void)
{
	WRITE_ONCE(fwverify_lock_armed, true);
	INIT_DELAYED_WORK(&fwverify_lockdown_work, fwverify_lockdown_poll);
	schedule_delayed_work(&fwverify_lockdown_work, 0);
}

/**
 * fwverify_lock_exit() - stop watching for kernel lockdown
 */
void fwverify_lock_exit(void)
{
	cancel_delayed_work_sync(&fwverify_lockdown_work);
}
