// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas gfn->pfn cache, modelled on virt/kvm/pfncache.c
 *
 * A struct vas_gpc caches the translation of a small guest range (within
 * one page) to a kernel address, for users that touch the same guest
 * structure often and sometimes from atomic context: a shared-info page,
 * a ring's index, a timer page. Any kernel user of a vas may place one
 * where it is convenient; it is not tied to KVM.
 *
 * The cache holds no reference on the page, like KVM's: the owner's page
 * table does. A refresh takes a reference only long enough to check, under
 * gpc->lock, that no invalidation raced with it, and drops it once the
 * translation is published. The translation is valid while
 *
 * - the memslot generation is the one the translation was made under: any
 *   memslot change makes vas_gpc_check() fail;
 * - the owner did not unmap or change the page: an mmu_interval_notifier
 *   on the page's owner address clears ->valid under gpc->lock for write,
 *   and the page can only be freed, migrated or written back after that
 *   notifier ran (unmap, zap, migration and write-protection all notify).
 *
 * So the cache pins nothing: the page stays movable and reclaimable, and
 * MADV_DONTNEED frees it at once. Users take gpc->lock for read (it is a
 * rwlock_t, usable with interrupts disabled), loop on vas_gpc_check() /
 * vas_gpc_refresh() and use ->khva until they drop the lock; the notifier
 * cannot complete an invalidation while they hold it, so the page cannot
 * go away under them. Refreshing sleeps and is serialized by
 * gpc->refresh_lock. A cache for writing faults the page in for writing,
 * which marks it dirty for the mm; writes through it are logged with
 * vas_gpc_mark_dirty(). The kernel address is the page's direct-map
 * address (vas depends on 64BIT: no highmem).
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>

#include "vas_private.h"

static bool vas_gpc_invalidate(struct mmu_interval_notifier *mni,
			       const struct mmu_notifier_range *range,
			       unsigned long cur_seq)
{
	struct vas_gpc *gpc = container_of(mni, struct vas_gpc, notifier);
	unsigned long flags;

	write_lock_irqsave(&gpc->lock, flags);
	mmu_interval_set_seq(mni, cur_seq);
	gpc->valid = false;
	write_unlock_irqrestore(&gpc->lock, flags);
	return true;
}

static const struct mmu_interval_notifier_ops vas_gpc_notifier_ops = {
	.invalidate = vas_gpc_invalidate,
};

/**
 * vas_gpc_init() - Initialize a gfn->pfn cache
 * @gpc: The cache, embedded wherever it is convenient
 * @vas: The vas it translates for; the caller keeps a reference
 */
void vas_gpc_init(struct vas_gpc *gpc, struct vas *vas)
{
	*gpc = (struct vas_gpc){ .vas = vas };
	rwlock_init(&gpc->lock);
	mutex_init(&gpc->refresh_lock);
}
EXPORT_SYMBOL_NS_GPL(vas_gpc_init, VAS);

/**
 * vas_gpc_check() - Whether the cached address may be used
 * @gpc: The cache
 * @len: Bytes the caller will access from @gpa
 *
 * Context: With @gpc->lock held for read.
 * Return: True if @gpc->khva is valid for @len bytes until the lock is
 * dropped.
 */
bool vas_gpc_check(struct vas_gpc *gpc, unsigned long len)
{
	lockdep_assert_held_read(&gpc->lock);
	return gpc->valid && len <= gpc->len &&
	       gpc->generation == vas_memslots_generation(gpc->vas);
}
EXPORT_SYMBOL_NS_GPL(vas_gpc_check, VAS);

/* Watches the owner page at @uhva, moving the notifier if needed. */
static int vas_gpc_watch(struct vas_gpc *gpc, unsigned long uhva)
{
	struct mm_struct *mm = gpc->vas->owner_mm;
	int err;

	if (gpc->notifier_active && gpc->uhva == uhva)
		return 0;
	if (gpc->notifier_active) {
		mmu_interval_notifier_remove(&gpc->notifier);
		gpc->notifier_active = false;
	}
	if (!mmget_not_zero(mm))
		return -ESRCH;
	err = mmu_interval_notifier_insert(&gpc->notifier, mm, uhva, PAGE_SIZE,
					   &vas_gpc_notifier_ops);
	mmput(mm);
	if (err)
		return err;
	gpc->notifier_active = true;
	gpc->uhva = uhva;
	return 0;
}

/* Resolves gpc->gpa to an owner page address, under the memslot rules. */
static int vas_gpc_translate(struct vas_gpc *gpc, unsigned long *uhva)
{
	struct vas *vas = gpc->vas;
	struct vas_memslot *slot;
	int err = 0, idx;

	idx = srcu_read_lock(&vas->srcu);
	slot = vas_memslot_translate(vas, gpc->gpa, gpc->flags & VAS_MAP_WRITE);
	if (IS_ERR(slot))
		err = PTR_ERR(slot);
	else
		*uhva = vas_memslot_hva(slot, gpc->gpa & PAGE_MASK);
	srcu_read_unlock(&vas->srcu, idx);
	return err;
}

static int vas_gpc_get_page(struct vas_gpc *gpc, unsigned long uhva,
			    struct page **page)
{
	struct mm_struct *mm = gpc->vas->owner_mm;
	unsigned int gup_flags = gpc->flags & VAS_MAP_WRITE ? FOLL_WRITE : 0;
	long ret;

	if (!mmget_not_zero(mm))
		return -ESRCH;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	ret = get_user_pages_remote(mm, uhva, 1, gup_flags, page, NULL);
	mmap_read_unlock(mm);
	mmput(mm);
	if (ret == 1)
		return 0;
	return ret < 0 ? (int)ret : -EFAULT;
}

static int __vas_gpc_refresh(struct vas_gpc *gpc)
{
	unsigned long uhva, seq;
	struct page *page;
	u64 generation;
	int err;

	lockdep_assert_held(&gpc->refresh_lock);
	for (;;) {
		generation = vas_memslots_generation(gpc->vas);
		err = vas_gpc_translate(gpc, &uhva);
		if (err)
			return err;
		err = vas_gpc_watch(gpc, uhva);
		if (err)
			return err;
		seq = mmu_interval_read_begin(&gpc->notifier);
		err = vas_gpc_get_page(gpc, uhva, &page);
		if (err)
			return err;

		write_lock_irq(&gpc->lock);
		if (!mmu_interval_read_retry(&gpc->notifier, seq) &&
		    generation == vas_memslots_generation(gpc->vas))
			break;
		write_unlock_irq(&gpc->lock);
		put_page(page);
	}
	gpc->khva = page_address(page) + offset_in_page(gpc->gpa);
	gpc->generation = generation;
	gpc->valid = true;
	write_unlock_irq(&gpc->lock);

	/* From here on the notifier, not a reference, keeps ->khva safe. */
	put_page(page);
	return 0;
}

/**
 * vas_gpc_refresh() - Translate the cached range again
 * @gpc: An active cache
 * @len: Bytes the caller will access
 *
 * Context: Process context or kernel thread, without @gpc->lock; sleeps.
 * Return: 0; -EINVAL if inactive or @len is larger than activated;
 * -EFAULT if @gpa is in no memslot or the owner page cannot be had;
 * -EPERM to write a read-only memslot; -ESRCH if the owner is gone.
 */
int vas_gpc_refresh(struct vas_gpc *gpc, unsigned long len)
{
	int err = -EINVAL;

	might_sleep();
	mutex_lock(&gpc->refresh_lock);
	if (gpc->active && len <= gpc->len)
		err = __vas_gpc_refresh(gpc);
	mutex_unlock(&gpc->refresh_lock);
	return err;
}
EXPORT_SYMBOL_NS_GPL(vas_gpc_refresh, VAS);

/**
 * vas_gpc_activate() - Start caching a guest range
 * @gpc: An initialized, inactive cache
 * @gpa: Guest-physical address
 * @len: Length; [@gpa, @gpa + @len) must lie within one page
 * @flags: VAS_MAP_WRITE to write through the cache
 *
 * Context: Process context or kernel thread; sleeps.
 * Return: 0; -EINVAL for bad flags or length; -EBUSY if already active;
 * or the errors of vas_gpc_refresh(), in which case the cache stays
 * inactive.
 */
int vas_gpc_activate(struct vas_gpc *gpc, u64 gpa, unsigned long len,
		     unsigned int flags)
{
	int err;

	if (flags & ~VAS_MAP_WRITE || !len ||
	    len > PAGE_SIZE - offset_in_page(gpa))
		return -EINVAL;
	mutex_lock(&gpc->refresh_lock);
	if (gpc->active) {
		mutex_unlock(&gpc->refresh_lock);
		return -EBUSY;
	}
	gpc->gpa = gpa;
	gpc->len = len;
	gpc->flags = flags;
	gpc->active = true;
	err = __vas_gpc_refresh(gpc);
	mutex_unlock(&gpc->refresh_lock);
	if (err)
		vas_gpc_deactivate(gpc);
	return err;
}
EXPORT_SYMBOL_NS_GPL(vas_gpc_activate, VAS);

/**
 * vas_gpc_deactivate() - Stop caching and drop the page
 * @gpc: The cache
 *
 * Context: Process context; sleeps.
 */
void vas_gpc_deactivate(struct vas_gpc *gpc)
{
	mutex_lock(&gpc->refresh_lock);
	write_lock_irq(&gpc->lock);
	gpc->valid = false;
	gpc->active = false;
	gpc->khva = NULL;
	write_unlock_irq(&gpc->lock);

	if (gpc->notifier_active) {
		mmu_interval_notifier_remove(&gpc->notifier);
		gpc->notifier_active = false;
	}
	mutex_unlock(&gpc->refresh_lock);
}
EXPORT_SYMBOL_NS_GPL(vas_gpc_deactivate, VAS);

/**
 * vas_gpc_mark_dirty() - Log a write through the cache
 * @gpc: The cache
 *
 * Context: Any, typically under @gpc->lock.
 */
void vas_gpc_mark_dirty(struct vas_gpc *gpc)
{
	vas_mark_dirty(gpc->vas, gpc->gpa, gpc->len);
}
EXPORT_SYMBOL_NS_GPL(vas_gpc_mark_dirty, VAS);
