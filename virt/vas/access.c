// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas guest-physical read and write
 *
 * Guest memory is the owner's memory, so every access ends as an access to
 * an address of the owner's mm. How it gets there depends on who asks:
 *
 * - the owner itself (current->mm is the owner's mm, including a kernel
 *   thread that already uses it): copy_from_user()/copy_to_user();
 * - a kernel thread without an mm: it borrows the owner's mm with
 *   kthread_use_mm() around the copy, like vhost workers do;
 * - any other process: access_remote_vm(), i.e. remote GUP of the owner's
 *   pages and a kernel mapping of each, like ptrace and /proc/pid/mem.
 *
 * The owner's mm is only mmgrab()ed by the vas, so the last two take an
 * mm_users reference for the duration of the access; once the owner has
 * exited that fails and the access returns -ESRCH.
 *
 * The walk over memslots runs inside one vas->srcu read-side section, so a
 * concurrent VAS_SET_MEMSLOT waits for it, and once that returns no access
 * reaches memory through the old layout.
 */
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include "vas_private.h"

/* access_remote_vm() takes an int length */
#define VAS_REMOTE_CHUNK	SZ_1M

/**
 * vas_access_path() - Which path an access from current takes
 * @vas: The vas
 *
 * Return: enum vas_access_path.
 */
enum vas_access_path vas_access_path(struct vas *vas)
{
	if (current->mm == vas->owner_mm)
		return VAS_PATH_OWNER;
	if ((current->flags & PF_KTHREAD) && !current->mm)
		return VAS_PATH_KTHREAD;
	return VAS_PATH_REMOTE;
}

static size_t vas_copy_user(unsigned long hva, void *buf, size_t len,
			    bool write)
{
	void __user *uaddr = (void __user *)hva;
	size_t left;

	if (write)
		left = copy_to_user(uaddr, buf, len);
	else
		left = copy_from_user(buf, uaddr, len);
	return len - left;
}

static size_t vas_copy_remote(struct mm_struct *mm, unsigned long hva,
			      void *buf, size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		int chunk = min_t(size_t, len - done, VAS_REMOTE_CHUNK);
		int ret;

		ret = access_remote_vm(mm, hva + done, buf + done, chunk,
				       write ? FOLL_WRITE : 0);
		if (ret <= 0)
			break;
		done += ret;
		if (ret < chunk)
			break;
	}
	return done;
}

/* Copies between @buf and owner address @hva; returns the bytes copied. */
static size_t vas_copy_hva(struct vas *vas, enum vas_access_path path,
			   unsigned long hva, void *buf, size_t len, bool write)
{
	if (path == VAS_PATH_REMOTE)
		return vas_copy_remote(vas->owner_mm, hva, buf, len, write);
	return vas_copy_user(hva, buf, len, write);
}

/**
 * vas_access() - Copy between a kernel buffer and guest-physical memory
 * @vas: The vas
 * @gpa: First guest-physical address
 * @buf: Kernel buffer
 * @len: Number of bytes
 * @write: Copy from @buf to the guest instead of from the guest to @buf
 * @done: Output: number of bytes copied before an error, @len on success
 *
 * The common path of vas_read(), vas_write() and pread/pwrite on the fd.
 *
 * Return: 0, or -EFAULT at a hole or unmapped owner memory, -EPERM at a
 * read-only memslot (writes), -ESRCH if the owner's mm is gone, -EINVAL if
 * the range wraps around.
 */
int vas_access(struct vas *vas, u64 gpa, void *buf, size_t len, bool write,
	       size_t *done)
{
	enum vas_access_path path = vas_access_path(vas);
	struct vas_memslot *slot;
	u64 end, chunk;
	int err = 0;
	size_t copied;
	int idx;

	*done = 0;
	if (check_add_overflow(gpa, (u64)len, &end))
		return -EINVAL;

	might_sleep();
	if (path != VAS_PATH_OWNER && !mmget_not_zero(vas->owner_mm))
		return -ESRCH;
	if (path == VAS_PATH_KTHREAD)
		kthread_use_mm(vas->owner_mm);

	idx = srcu_read_lock(&vas->srcu);
	while (len) {
		slot = vas_memslot_translate(vas, gpa, write);
		if (IS_ERR(slot)) {
			err = PTR_ERR(slot);
			break;
		}
		chunk = min_t(u64, len, vas_memslot_end_gpa(slot) - gpa);
		copied = vas_copy_hva(vas, path, vas_memslot_hva(slot, gpa),
				      buf, chunk, write);
		if (write)
			vas_memslot_mark_dirty(slot, gpa, copied);
		*done += copied;
		gpa += copied;
		buf += copied;
		len -= copied;
		if (copied < chunk) {
			err = -EFAULT;
			break;
		}
	}
	srcu_read_unlock(&vas->srcu, idx);

	if (path == VAS_PATH_KTHREAD)
		kthread_unuse_mm(vas->owner_mm);
	if (path != VAS_PATH_OWNER)
		mmput(vas->owner_mm);
	return err;
}

/**
 * vas_read() - Read guest-physical memory
 * @vas: The vas
 * @gpa: Guest-physical address of the first byte
 * @buf: Kernel buffer of at least @len bytes
 * @len: Number of bytes to read; the range may span memslots
 *
 * Copies from the owner's memory behind the memslots. Works from the owner
 * process, from a kernel thread (it borrows the owner's mm) and from any
 * other process (remote access to the owner's mm).
 *
 * Context: Process context or kernel thread; may sleep. No vas lock may be
 * held by the caller.
 * Return: 0 on success; -EFAULT if part of the range is not covered by a
 * memslot or not mapped in the owner; -ESRCH if the owner's address space
 * is gone; -EINVAL if @gpa + @len overflows. On error, @buf may be
 * partially written.
 */
int vas_read(struct vas *vas, u64 gpa, void *buf, size_t len)
{
	size_t done;

	return vas_access(vas, gpa, buf, len, false, &done);
}
EXPORT_SYMBOL_NS_GPL(vas_read, VAS);

/**
 * vas_write() - Write guest-physical memory
 * @vas: The vas
 * @gpa: Guest-physical address of the first byte
 * @buf: Kernel buffer of at least @len bytes
 * @len: Number of bytes to write; the range may span memslots
 *
 * The counterpart of vas_read(), with the same contexts.
 *
 * Context: Process context or kernel thread; may sleep. No vas lock may be
 * held by the caller.
 * Return: 0 on success; -EPERM if part of the range is in a read-only
 * memslot; -EFAULT, -ESRCH or -EINVAL as for vas_read(). On error, a
 * prefix of the range may have been written.
 */
int vas_write(struct vas *vas, u64 gpa, const void *buf, size_t len)
{
	size_t done;

	/* Only read from: vas_access() copies out of @buf for writes. */
	return vas_access(vas, gpa, (void *)buf, len, true, &done);
}
EXPORT_SYMBOL_NS_GPL(vas_write, VAS);
