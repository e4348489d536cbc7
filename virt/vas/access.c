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
 *
 * vas_read_once() and vas_write_once() move one naturally aligned 1, 2, 4
 * or 8-byte value with one load or store, as READ_ONCE()/WRITE_ONCE() do,
 * for values another party changes concurrently (a ring index): a copy may
 * move bytes one at a time (short user copies are byte loops or rep movsb)
 * and tear. get_user()/put_user() on the owner and kthread paths; on the
 * remote path the page is pinned and mapped with kmap_local_page().
 */
#include <linux/highmem.h>
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

/*
 * Makes the owner's memory reachable from current for an access on @path:
 * an mm_users reference for the paths that do not run in the owner, and
 * the owner's mm borrowed by a kernel thread. -ESRCH once the owner is gone.
 */
static int vas_access_begin(struct vas *vas, enum vas_access_path path)
{
	might_sleep();
	if (path == VAS_PATH_OWNER)
		return 0;
	if (!mmget_not_zero(vas->owner_mm))
		return -ESRCH;
	if (path == VAS_PATH_KTHREAD)
		kthread_use_mm(vas->owner_mm);
	return 0;
}

static void vas_access_end(struct vas *vas, enum vas_access_path path)
{
	if (path == VAS_PATH_KTHREAD)
		kthread_unuse_mm(vas->owner_mm);
	if (path != VAS_PATH_OWNER)
		mmput(vas->owner_mm);
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

	err = vas_access_begin(vas, path);
	if (err)
		return err;

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

	vas_access_end(vas, path);
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

/* One load or store of the @size-byte value @val at the owner address @hva */
static int vas_once_user(unsigned long hva, void *val, unsigned int size,
			 bool write)
{
	switch (size) {
	case 1:
		return write ? put_user(*(u8 *)val, (u8 __user *)hva) :
			       get_user(*(u8 *)val, (u8 __user *)hva);
	case 2:
		return write ? put_user(*(u16 *)val, (u16 __user *)hva) :
			       get_user(*(u16 *)val, (u16 __user *)hva);
	case 4:
		return write ? put_user(*(u32 *)val, (u32 __user *)hva) :
			       get_user(*(u32 *)val, (u32 __user *)hva);
	default:
		return write ? put_user(*(u64 *)val, (u64 __user *)hva) :
			       get_user(*(u64 *)val, (u64 __user *)hva);
	}
}

/* The same at the kernel address @addr */
static void vas_once_kernel(void *addr, void *val, unsigned int size,
			    bool write)
{
	switch (size) {
	case 1:
		if (write)
			WRITE_ONCE(*(u8 *)addr, *(u8 *)val);
		else
			*(u8 *)val = READ_ONCE(*(u8 *)addr);
		break;
	case 2:
		if (write)
			WRITE_ONCE(*(u16 *)addr, *(u16 *)val);
		else
			*(u16 *)val = READ_ONCE(*(u16 *)addr);
		break;
	case 4:
		if (write)
			WRITE_ONCE(*(u32 *)addr, *(u32 *)val);
		else
			*(u32 *)val = READ_ONCE(*(u32 *)addr);
		break;
	default:
		if (write)
			WRITE_ONCE(*(u64 *)addr, *(u64 *)val);
		else
			*(u64 *)val = READ_ONCE(*(u64 *)addr);
	}
}

/* The remote path: the page pinned, mapped, accessed once, released */
static int vas_once_remote(struct mm_struct *mm, unsigned long hva,
			   void *val, unsigned int size, bool write)
{
	struct page *page;
	void *kaddr;
	long got;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	got = get_user_pages_remote(mm, hva, 1, write ? FOLL_WRITE : 0, &page,
				    NULL);
	mmap_read_unlock(mm);
	if (got != 1)
		return got == -EINTR ? -EINTR : -EFAULT;
	kaddr = kmap_local_page(page);
	vas_once_kernel(kaddr + offset_in_page(hva), val, size, write);
	kunmap_local(kaddr);
	if (write)
		set_page_dirty_lock(page);
	put_page(page);
	return 0;
}

static int vas_access_once(struct vas *vas, u64 gpa, void *val,
			   unsigned int size, bool write)
{
	enum vas_access_path path = vas_access_path(vas);
	struct vas_memslot *slot;
	unsigned long hva;
	int err, idx;

	if ((size != 1 && size != 2 && size != 4 && size != 8) ||
	    !IS_ALIGNED(gpa, size))
		return -EINVAL;

	err = vas_access_begin(vas, path);
	if (err)
		return err;

	/* Aligned and at most 8 bytes: inside one page, so one memslot */
	idx = srcu_read_lock(&vas->srcu);
	slot = vas_memslot_translate(vas, gpa, write);
	if (IS_ERR(slot)) {
		err = PTR_ERR(slot);
	} else {
		hva = vas_memslot_hva(slot, gpa);
		if (path == VAS_PATH_REMOTE)
			err = vas_once_remote(vas->owner_mm, hva, val, size,
					      write);
		else
			err = vas_once_user(hva, val, size, write);
		if (!err && write)
			vas_memslot_mark_dirty(slot, gpa, size);
	}
	srcu_read_unlock(&vas->srcu, idx);

	vas_access_end(vas, path);
	return err;
}

/**
 * vas_read_once() - Read one value of guest memory with a single load
 * @vas: The vas
 * @gpa: Guest-physical address, a multiple of @size
 * @val: Where the value goes: a u8, u16, u32 or u64 as @size says
 * @size: 1, 2, 4 or 8
 *
 * For values the guest or another backend changes concurrently, such as a
 * ring's index: the value is read with one load, as READ_ONCE() does, so
 * it can never be torn between an old and a new value, which vas_read()
 * does not promise. Same contexts as vas_read().
 *
 * Context: Process context or kernel thread; may sleep.
 * Return: 0; -EINVAL for another @size or a misaligned @gpa; -EFAULT,
 * -ESRCH as for vas_read(); -EINTR on a fatal signal (remote path).
 */
int vas_read_once(struct vas *vas, u64 gpa, void *val, unsigned int size)
{
	return vas_access_once(vas, gpa, val, size, false);
}
EXPORT_SYMBOL_NS_GPL(vas_read_once, VAS);

/**
 * vas_write_once() - Write one value of guest memory with a single store
 * @vas: The vas
 * @gpa: Guest-physical address, a multiple of @size
 * @val: The value: a u8, u16, u32 or u64 as @size says
 * @size: 1, 2, 4 or 8
 *
 * The counterpart of vas_read_once(), as WRITE_ONCE(): a concurrent reader
 * sees the old or the new value, never a mix. The page is logged dirty.
 *
 * Context: Process context or kernel thread; may sleep.
 * Return: 0; -EINVAL for another @size or a misaligned @gpa; -EPERM in a
 * read-only memslot; -EFAULT, -ESRCH as for vas_read(); -EINTR on a fatal
 * signal (remote path).
 */
int vas_write_once(struct vas *vas, u64 gpa, const void *val,
		   unsigned int size)
{
	/* Only read from, as for vas_write() */
	return vas_access_once(vas, gpa, (void *)val, size, true);
}
EXPORT_SYMBOL_NS_GPL(vas_write_once, VAS);
