// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas dirty log
 *
 * A memslot with VAS_MEM_LOG_DIRTY_PAGES carries a dirty log with one bit
 * per page. Every write that goes through the vas sets bits in it:
 * vas_write() and pwrite() on the fd (in vas_access()), and any kernel
 * user that writes guest memory another way and calls vas_mark_dirty().
 * Binders that write guest memory on their own (KVM's guest) add their
 * pages when the log is read, through their ->sync_dirty op. The result is
 * one log covering the guest and every backend, which is what live
 * migration needs.
 *
 * Bits are set with atomic bitops by lockless writers holding vas->srcu;
 * readers take whole words with xchg() (get-and-clear) or READ_ONCE()
 * (keep). The bitmap is refcounted (struct vas_dirty_bitmap): it follows its
 * memslot through moves and flags changes that keep logging on (see
 * memslots.c), and VAS_GET_DIRTY_LOG / VAS_CLEAR_DIRTY_LOG take a
 * reference under vas->slots_lock, let the binders sync, drop the lock and
 * only then copy to or from userspace. slots_lock is never held across a
 * user copy, which may block for as long as the caller likes (a bitmap in
 * a userfaultfd or FUSE mapping). A memslot changed meanwhile does not
 * matter: the call finishes on the log it started with.
 *
 * Reading the log without clearing it is open to every holder of the fd,
 * like reading guest memory. Clearing it (VAS_GET_DIRTY_LOG without
 * VAS_DIRTY_LOG_KEEP, VAS_CLEAR_DIRTY_LOG) destroys the owner's migration
 * state, so only the owner may (-EPERM for anyone else).
 */
#include <linux/bitmap.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vas_private.h"

/* Words copied to userspace per step: bounds the kernel buffer */
#define VAS_DIRTY_CHUNK_WORDS	512

/**
 * vas_memslot_mark_dirty() - Log a write to a memslot
 * @slot: The memslot, found under vas->srcu
 * @gpa: First guest-physical address written, inside @slot
 * @len: Bytes written, not beyond @slot
 */
void vas_memslot_mark_dirty(struct vas_memslot *slot, u64 gpa, u64 len)
{
	u64 first, last;

	if (!slot->dirty_bitmap || !len)
		return;
	first = (gpa >> PAGE_SHIFT) - slot->base_gfn;
	last = ((gpa + len - 1) >> PAGE_SHIFT) - slot->base_gfn;
	for (; first <= last; first++)
		set_bit(first, slot->dirty_bitmap->bits);
}

/**
 * vas_mark_dirty() - Add guest pages to the dirty log
 * @vas: The vas
 * @gpa: First guest-physical address written
 * @len: Number of bytes written
 *
 * For writes that did not go through vas_write(): pages in memslots with
 * VAS_MEM_LOG_DIRTY_PAGES are reported by the next VAS_GET_DIRTY_LOG. Parts
 * of the range outside every memslot are ignored.
 *
 * Context: Any context that may take an SRCU read lock.
 */
void vas_mark_dirty(struct vas *vas, u64 gpa, u64 len)
{
	u64 first, last, start, stop, end;
	struct vas_memslot *slot;
	int idx;

	if (!len)
		return;
	if (check_add_overflow(gpa, len - 1, &end))
		end = U64_MAX;
	first = gpa >> PAGE_SHIFT;
	last = end >> PAGE_SHIFT;

	idx = srcu_read_lock(&vas->srcu);
	for (slot = vas_memslot_first(vas, first, last); slot;
	     slot = vas_memslot_next(vas, slot, last)) {
		start = max(first, slot->base_gfn);
		stop = min(last, vas_memslot_last_gfn(slot));
		vas_memslot_mark_dirty(slot, start << PAGE_SHIFT,
				       (stop - start + 1) << PAGE_SHIFT);
	}
	srcu_read_unlock(&vas->srcu, idx);
}
EXPORT_SYMBOL_NS_GPL(vas_mark_dirty, VAS);

/*
 * Takes a reference on the dirty log of memslot @id, after letting the
 * binders and writable vmaps and sgmaps add their pages to it if @sync.
 */
static struct vas_dirty_bitmap *vas_dirty_bitmap_find(struct vas *vas,
						      u32 id, bool sync)
{
	struct vas_dirty_bitmap *log = NULL;
	struct vas_memslot *slot;

	mutex_lock(&vas->slots_lock);
	slot = xa_load(&vas->slots, id);
	if (slot && slot->dirty_bitmap) {
		log = vas_dirty_bitmap_get(slot->dirty_bitmap);
		if (sync) {
			vas_binders_sync_dirty(vas, id);
			vas_vmaps_sync_dirty(vas);
			vas_sgmaps_sync_dirty(vas);
		}
	}
	mutex_unlock(&vas->slots_lock);
	return log;
}

static int vas_dirty_log_copy_out(struct vas_dirty_bitmap *log,
				  unsigned long __user *ubitmap, bool keep)
{
	unsigned long nwords = BITS_TO_LONGS(log->npages);
	unsigned long buf[64], i, n, w;

	for (i = 0; i < nwords; i += n) {
		n = min(nwords - i, ARRAY_SIZE(buf));
		for (w = 0; w < n; w++)
			buf[w] = keep ? READ_ONCE(log->bits[i + w]) :
					xchg(&log->bits[i + w], 0);
		if (copy_to_user(ubitmap + i, buf, n * sizeof(*buf))) {
			/* Do not lose what could not be reported. */
			for (w = 0; !keep && w < n; w++)
				atomic_long_or(buf[w], (atomic_long_t *)
					       &log->bits[i + w]);
			return -EFAULT;
		}
		cond_resched();
	}
	return 0;
}

/* Only the owner may clear the log: it is the owner's migration state. */
static bool vas_dirty_log_may_clear(struct vas *vas)
{
	return current->mm == vas->owner_mm;
}

/**
 * vas_ioctl_get_dirty_log() - VAS_GET_DIRTY_LOG
 * @vas: The vas
 * @data: struct vas_dirty_log
 *
 * Return: 0, or -EINVAL for bad fields, -EPERM to clear the log (no
 * VAS_DIRTY_LOG_KEEP) from any process but the owner, -ENOENT if the
 * memslot does not exist or does not log, -EFAULT if @bitmap cannot be
 * written (the bits of the failed step stay set).
 */
int vas_ioctl_get_dirty_log(struct vas *vas, void *data)
{
	struct vas_dirty_log *args = data;
	bool keep = args->flags & VAS_DIRTY_LOG_KEEP;
	struct vas_dirty_bitmap *log;
	int err;

	if (args->flags & ~VAS_DIRTY_LOG_KEEP || args->__reserved ||
	    args->first_page || args->num_pages ||
	    args->slot >= VAS_MAX_MEMSLOTS)
		return -EINVAL;
	if (!keep && !vas_dirty_log_may_clear(vas))
		return -EPERM;
	log = vas_dirty_bitmap_find(vas, args->slot, true);
	if (!log)
		return -ENOENT;
	err = vas_dirty_log_copy_out(log, u64_to_user_ptr(args->bitmap), keep);
	vas_dirty_bitmap_put(log);
	return err;
}

static int vas_dirty_log_clear(struct vas_dirty_bitmap *log,
			       const struct vas_dirty_log *args)
{
	unsigned long __user *ubitmap = u64_to_user_ptr(args->bitmap);
	u64 end = args->first_page + args->num_pages;
	unsigned long buf[64], first, nwords, i, n, w;

	if (end > log->npages ||
	    (args->num_pages % BITS_PER_LONG && end != log->npages))
		return -EINVAL;

	first = args->first_page / BITS_PER_LONG;
	nwords = BITS_TO_LONGS(args->num_pages);
	for (i = 0; i < nwords; i += n) {
		n = min(nwords - i, ARRAY_SIZE(buf));
		if (copy_from_user(buf, ubitmap + i, n * sizeof(*buf)))
			return -EFAULT;
		for (w = 0; w < n; w++)
			atomic_long_andnot(buf[w], (atomic_long_t *)
					   &log->bits[first + i + w]);
		cond_resched();
	}
	return 0;
}

/**
 * vas_ioctl_clear_dirty_log() - VAS_CLEAR_DIRTY_LOG
 * @vas: The vas
 * @data: struct vas_dirty_log
 *
 * Return: 0, or -EINVAL for bad fields or a range beyond the memslot,
 * -EPERM from any process but the owner, -ENOENT as for VAS_GET_DIRTY_LOG,
 * -EFAULT if @bitmap cannot be read.
 */
int vas_ioctl_clear_dirty_log(struct vas *vas, void *data)
{
	struct vas_dirty_log *args = data;
	struct vas_dirty_bitmap *log;
	u64 end;
	int err;

	if (args->flags || args->__reserved ||
	    args->slot >= VAS_MAX_MEMSLOTS ||
	    args->first_page % BITS_PER_LONG ||
	    check_add_overflow(args->first_page, args->num_pages, &end))
		return -EINVAL;
	if (!vas_dirty_log_may_clear(vas))
		return -EPERM;
	log = vas_dirty_bitmap_find(vas, args->slot, false);
	if (!log)
		return -ENOENT;
	err = vas_dirty_log_clear(log, args);
	vas_dirty_bitmap_put(log);
	return err;
}
