// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas dirty log
 *
 * A memslot with VAS_MEM_LOG_DIRTY_PAGES carries a bitmap with one bit per
 * page. Every write that goes through the vas sets bits in it: vas_write()
 * and pwrite() on the fd (in vas_access()), and any kernel user that writes
 * guest memory another way and calls vas_mark_dirty(). Binders that write
 * guest memory on their own (KVM's guest) add their pages when the log is
 * read, through their ->sync_dirty op. The result is one log covering the
 * guest and every backend, which is what live migration needs.
 *
 * Bits are set with atomic bitops by lockless writers holding vas->srcu;
 * readers take whole words with xchg() (get-and-clear) or READ_ONCE()
 * (keep), under vas->slots_lock so the memslot cannot change meanwhile.
 * The bitmap belongs to the memslot and follows it through moves and
 * flags changes that keep logging on (see memslots.c).
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
		set_bit(first, slot->dirty_bitmap);
}

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

	/* Memslot by memslot, jumping over holes */
	idx = srcu_read_lock(&vas->srcu);
	while (first <= last) {
		slot = vas_memslot_first(vas, first, last);
		if (!slot)
			break;
		start = max(first, slot->base_gfn);
		stop = min(last, slot->base_gfn + slot->npages - 1);
		vas_memslot_mark_dirty(slot, start << PAGE_SHIFT,
				       (stop - start + 1) << PAGE_SHIFT);
		first = stop + 1;
	}
	srcu_read_unlock(&vas->srcu, idx);
}
EXPORT_SYMBOL_NS_GPL(vas_mark_dirty, VAS);

typedef int (*vas_dirty_log_fn)(struct vas *vas, struct vas_memslot *slot,
				const struct vas_dirty_log *log,
				unsigned long *buf);

/*
 * Runs @fn on the logging memslot @log names, under vas->slots_lock so it
 * cannot change meanwhile, with a buffer of VAS_DIRTY_CHUNK_WORDS words.
 */
static int vas_dirty_log_run(struct vas *vas, const struct vas_dirty_log *log,
			     vas_dirty_log_fn fn)
{
	struct vas_memslot *slot;
	unsigned long *buf;
	int err;

	buf = kmalloc_array(VAS_DIRTY_CHUNK_WORDS, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&vas->slots_lock);
	slot = xa_load(&vas->slots, log->slot);
	if (!slot || !slot->dirty_bitmap)
		err = -ENOENT;
	else
		err = fn(vas, slot, log, buf);
	mutex_unlock(&vas->slots_lock);
	kfree(buf);
	return err;
}

static int vas_dirty_log_get(struct vas *vas, struct vas_memslot *slot,
			     const struct vas_dirty_log *log, unsigned long *buf)
{
	unsigned long __user *ubitmap = u64_to_user_ptr(log->bitmap);
	bool keep = log->flags & VAS_DIRTY_LOG_KEEP;
	unsigned long nwords, i, n, w;

	vas_binders_sync_dirty(vas, slot->id);
	vas_vmaps_sync_dirty(vas);

	nwords = BITS_TO_LONGS(slot->npages);
	for (i = 0; i < nwords; i += n) {
		n = min(nwords - i, VAS_DIRTY_CHUNK_WORDS);
		for (w = 0; w < n; w++)
			buf[w] = keep ? READ_ONCE(slot->dirty_bitmap[i + w]) :
					xchg(&slot->dirty_bitmap[i + w], 0);
		if (copy_to_user(ubitmap + i, buf, n * sizeof(*buf))) {
			/* Do not lose what could not be reported. */
			for (w = 0; !keep && w < n; w++)
				atomic_long_or(buf[w], (atomic_long_t *)
					       &slot->dirty_bitmap[i + w]);
			return -EFAULT;
		}
	}
	return 0;
}

/**
 * vas_ioctl_get_dirty_log() - VAS_GET_DIRTY_LOG
 * @vas: The vas
 * @data: struct vas_dirty_log
 *
 * Return: 0, or -EINVAL for bad fields, -ENOENT if the memslot does not
 * exist or does not log, -EFAULT if @bitmap cannot be written (the bits
 * of the failed step stay set).
 */
int vas_ioctl_get_dirty_log(struct vas *vas, void *data)
{
	struct vas_dirty_log *log = data;

	if (log->flags & ~VAS_DIRTY_LOG_KEEP || log->__reserved ||
	    log->first_page || log->num_pages || log->slot >= VAS_MAX_MEMSLOTS)
		return -EINVAL;
	return vas_dirty_log_run(vas, log, vas_dirty_log_get);
}

static int vas_dirty_log_clear(struct vas *vas, struct vas_memslot *slot,
			       const struct vas_dirty_log *log,
			       unsigned long *buf)
{
	unsigned long __user *ubitmap = u64_to_user_ptr(log->bitmap);
	unsigned long first, nwords, i, n, w;
	u64 end = log->first_page + log->num_pages;

	if (end > slot->npages ||
	    (log->num_pages % BITS_PER_LONG && end != slot->npages))
		return -EINVAL;

	first = log->first_page / BITS_PER_LONG;
	nwords = BITS_TO_LONGS(log->num_pages);
	for (i = 0; i < nwords; i += n) {
		n = min(nwords - i, VAS_DIRTY_CHUNK_WORDS);
		if (copy_from_user(buf, ubitmap + i, n * sizeof(*buf)))
			return -EFAULT;
		for (w = 0; w < n; w++)
			atomic_long_andnot(buf[w], (atomic_long_t *)
					   &slot->dirty_bitmap[first + i + w]);
	}
	return 0;
}

/**
 * vas_ioctl_clear_dirty_log() - VAS_CLEAR_DIRTY_LOG
 * @vas: The vas
 * @data: struct vas_dirty_log
 *
 * Return: 0, or -EINVAL for bad fields or a range beyond the memslot,
 * -ENOENT as for VAS_GET_DIRTY_LOG, -EFAULT if @bitmap cannot be read.
 */
int vas_ioctl_clear_dirty_log(struct vas *vas, void *data)
{
	struct vas_dirty_log *log = data;
	u64 end;

	if (log->flags || log->__reserved || log->slot >= VAS_MAX_MEMSLOTS ||
	    log->first_page % BITS_PER_LONG ||
	    check_add_overflow(log->first_page, log->num_pages, &end))
		return -EINVAL;
	return vas_dirty_log_run(vas, log, vas_dirty_log_clear);
}
