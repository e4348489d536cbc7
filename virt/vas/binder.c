// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas binders
 *
 * A binder is a kernel user of a vas (KVM, a device backend) that wants to
 * follow it: vas_bind() offers it the memslots that already exist, as one
 * batch of CREATE changes it may veto, puts it on vas->binders, and from
 * then on it is
 *
 * - offered every memslot change in two phases: ->prepare may veto it,
 *   then either ->commit (the change happened) or ->abort (it did not);
 *   changes are serialized by vas->slots_lock, which is held across both
 *   phases, so every binder sees the same sequence of changes. The one
 *   binder whose ->prepare applies the change (prepare_applies: KVM) is
 *   asked last, once every other binder accepted, so that a guest never
 *   runs on a layout another binder vetoes;
 * - told through ->invalidate when a guest-physical range stops meaning
 *   what it did: its memslot was deleted, moved or made read-only (from
 *   the memslot path, before ->commit), or the owner unmapped or changed
 *   the memory behind it (from the vas's mmu notifier on the owner's mm,
 *   also for a memslot being retired: from when a change unpublishes it
 *   until the memslot path has invalidated its range, so no unmap falls
 *   between the two);
 * - asked through ->sync_dirty to add its own writes to the dirty log;
 * - told through ->release when the owner's address space goes away.
 *
 * The list of binders changes only under slots_lock; the mmu notifier walks
 * it under vas->srcu, and vas_unbind() waits for an SRCU grace period, so
 * no op runs after it returns.
 */
#include <linux/mmu_notifier.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "vas_private.h"

/**
 * struct vas_binder - one binding of a kernel user to a vas
 * @vas: The vas, referenced for as long as the binding exists
 * @ops: The binder's ops
 * @data: Passed to every op
 * @node: In vas->binders
 */
struct vas_binder {
	struct vas *vas;
	const struct vas_binder_ops *ops;
	void *data;
	struct list_head node;
};

/* The binder list may be walked under either lock */
static bool __maybe_unused vas_binders_walk_allowed(struct vas *vas)
{
	return srcu_read_lock_held(&vas->srcu) ||
	       lockdep_is_held(&vas->slots_lock);
}

/* A veto must be a negative errno; anything else is a binder bug */
static int vas_veto_errno(int err)
{
	if (WARN_ON_ONCE(err > 0 || err < -MAX_ERRNO))
		return -EINVAL;
	return err;
}

/* A CREATE change describing the published memslot @slot */
static void vas_memslot_as_create(const struct vas_memslot *slot,
				  struct vas_memslot_change *change)
{
	*change = (struct vas_memslot_change){
		.kind = VAS_MEMSLOT_CREATE,
		.slot = slot->id,
	};
	vas_memslot_describe(slot, &change->new);
}

/*
 * Offers the existing memslots to a new binder as one batch of CREATE
 * changes: ->prepare for each, then ->commit for each, or, after a veto,
 * ->abort for those it had accepted.
 */
static int vas_binder_replay(struct vas *vas, struct vas_binder *binder)
{
	const struct vas_binder_ops *ops = binder->ops;
	struct vas_memslot_change change;
	struct vas_memslot *slot;
	unsigned long id, vetoed;
	int err = 0;

	lockdep_assert_held(&vas->slots_lock);
	if (ops->prepare) {
		xa_for_each(&vas->slots, id, slot) {
			vas_memslot_as_create(slot, &change);
			err = ops->prepare(binder->data, &change);
			if (err)
				break;
		}
	}
	if (err) {
		vetoed = id;
		if (vetoed && ops->abort) {
			xa_for_each_range(&vas->slots, id, slot, 0, vetoed - 1) {
				vas_memslot_as_create(slot, &change);
				ops->abort(binder->data, &change);
			}
		}
		return vas_veto_errno(err);
	}
	if (ops->commit) {
		xa_for_each(&vas->slots, id, slot) {
			vas_memslot_as_create(slot, &change);
			ops->commit(binder->data, &change);
		}
	}
	return 0;
}

/**
 * vas_bind() - Register as a binder of a vas
 * @vas: The vas; the binder takes its own reference
 * @ops: What the binder wants to be told; must outlive the binding
 * @data: Passed to every op
 *
 * A binder sees every memslot change (and may veto it), every
 * invalidation and the end of the owner's address space. Many binders may
 * bind one vas.
 *
 * The memslots that already exist are offered first, atomically with the
 * binding, as one batch of %VAS_MEMSLOT_CREATE changes: ->prepare for each
 * (in memslot id order), then ->commit for each. If ->prepare vetoes one,
 * the memslots it had accepted get ->abort and vas_bind() fails with the
 * veto's errno.
 *
 * Context: Process context; takes the vas's memslot lock.
 * Return: The binding, or ERR_PTR(): -ENOMEM; -EBUSY if @ops has
 * prepare_applies and the vas has such a binder already; or the errno of a
 * veto.
 */
struct vas_binder *vas_bind(struct vas *vas, const struct vas_binder_ops *ops,
			    void *data)
{
	struct vas_binder *binder;
	int err;

	if (WARN_ON_ONCE(ops->prepare_applies && !ops->prepare))
		return ERR_PTR(-EINVAL);
	binder = kzalloc(sizeof(*binder), GFP_KERNEL_ACCOUNT);
	if (!binder)
		return ERR_PTR(-ENOMEM);
	binder->vas = vas;
	binder->ops = ops;
	binder->data = data;

	mutex_lock(&vas->slots_lock);
	if (ops->prepare_applies && vas->applying_binder)
		err = -EBUSY;
	else
		err = vas_binder_replay(vas, binder);
	if (!err) {
		list_add_tail_rcu(&binder->node, &vas->binders);
		if (ops->prepare_applies)
			vas->applying_binder = binder;
	}
	mutex_unlock(&vas->slots_lock);
	if (err) {
		kfree(binder);
		return ERR_PTR(err);
	}
	vas_get(vas);
	return binder;
}
EXPORT_SYMBOL_NS_GPL(vas_bind, VAS);

/**
 * vas_unbind() - End a binding
 * @binder: From vas_bind()
 *
 * When this returns, no op of @binder runs any more and its reference on
 * the vas is dropped.
 *
 * Context: Process context; may sleep. Not from within a binder op.
 */
void vas_unbind(struct vas_binder *binder)
{
	struct vas *vas = binder->vas;

	mutex_lock(&vas->slots_lock);
	list_del_rcu(&binder->node);
	if (vas->applying_binder == binder)
		vas->applying_binder = NULL;
	mutex_unlock(&vas->slots_lock);
	synchronize_srcu(&vas->srcu);
	kfree(binder);
	vas_put(vas);
}
EXPORT_SYMBOL_NS_GPL(vas_unbind, VAS);

/**
 * vas_binders_prepare() - Offer a memslot change to every binder
 * @vas: The vas
 * @change: The change
 *
 * The binders are asked in the order they bound, but the applying binder,
 * which is asked last.
 *
 * Context: Under vas->slots_lock.
 * Return: 0 if every binder accepted; else the first veto, after the
 * binders that had accepted were told to ->abort.
 */
int vas_binders_prepare(struct vas *vas, const struct vas_memslot_change *change)
{
	struct vas_binder *binder, *last = vas->applying_binder;
	int err = 0;

	lockdep_assert_held(&vas->slots_lock);
	list_for_each_entry(binder, &vas->binders, node) {
		if (binder == last || !binder->ops->prepare)
			continue;
		err = binder->ops->prepare(binder->data, change);
		if (err)
			break;
	}
	/* Past the loop, binder is the list head: all are undone below */
	if (!err && last)
		err = last->ops->prepare(last->data, change);
	if (!err)
		return 0;

	err = vas_veto_errno(err);
	list_for_each_entry_continue_reverse(binder, &vas->binders, node)
		if (binder != last && binder->ops->prepare &&
		    binder->ops->abort)
			binder->ops->abort(binder->data, change);
	return err;
}

/**
 * vas_binders_invalidate() - Tell every binder a guest range changed
 * @vas: The vas
 * @gpa: First guest-physical address
 * @len: Length in bytes
 *
 * Context: Under vas->slots_lock or inside srcu_read_lock(&vas->srcu).
 */
void vas_binders_invalidate(struct vas *vas, u64 gpa, u64 len)
{
	struct vas_binder *binder;

	list_for_each_entry_srcu(binder, &vas->binders, node,
				 vas_binders_walk_allowed(vas))
		if (binder->ops->invalidate)
			binder->ops->invalidate(binder->data, gpa, len);
}

/**
 * vas_binders_commit() - Apply a published memslot change to the binders
 * @vas: The vas
 * @change: The change every binder accepted
 *
 * What the change took away was invalidated already.
 *
 * Context: Under vas->slots_lock.
 */
void vas_binders_commit(struct vas *vas, const struct vas_memslot_change *change)
{
	struct vas_binder *binder;

	lockdep_assert_held(&vas->slots_lock);
	list_for_each_entry(binder, &vas->binders, node)
		if (binder->ops->commit)
			binder->ops->commit(binder->data, change);
}

/**
 * vas_binders_sync_dirty() - Let every binder report its writes to a memslot
 * @vas: The vas
 * @slot: Memslot id whose dirty log is about to be read
 *
 * Context: Under vas->slots_lock.
 */
void vas_binders_sync_dirty(struct vas *vas, u32 slot)
{
	struct vas_binder *binder;

	lockdep_assert_held(&vas->slots_lock);
	list_for_each_entry(binder, &vas->binders, node)
		if (binder->ops->sync_dirty)
			binder->ops->sync_dirty(binder->data, slot);
}

/* Some binder has an ->invalidate op, which may sleep */
static bool vas_binders_may_block(struct vas *vas)
{
	struct vas_binder *binder;

	list_for_each_entry_srcu(binder, &vas->binders, node,
				 srcu_read_lock_held(&vas->srcu))
		if (binder->ops->invalidate)
			return true;
	return false;
}

/*
 * Reports the part of [range->start, range->end) that @slot maps to the
 * binders. Returns -EAGAIN instead if that would have to sleep and the
 * range may not.
 */
static int vas_mn_invalidate_memslot(struct vas *vas, struct vas_memslot *slot,
				     const struct mmu_notifier_range *range)
{
	unsigned long start, end;

	start = max(range->start, slot->userspace_addr);
	end = min(range->end, slot->userspace_addr +
			      (slot->npages << PAGE_SHIFT));
	if (start >= end)
		return 0;
	if (!mmu_notifier_range_blockable(range))
		return vas_binders_may_block(vas) ? -EAGAIN : 0;
	vas_binders_invalidate(vas, (slot->base_gfn << PAGE_SHIFT) +
				    start - slot->userspace_addr,
			       end - start);
	return 0;
}

/*
 * The owner unmapped or changed memory in [range->start, range->end):
 * translate that into the guest ranges of every memslot over it, and of a
 * memslot that a change in progress took out of the table but has not
 * reported to the binders yet. Only a range that a binder's ->invalidate
 * must hear about is refused to a non-blocking caller (the OOM reaper,
 * process_mrelease()), so that binders without one never stand in their
 * way.
 */
static int vas_mn_invalidate_range_start(struct mmu_notifier *mn,
					 const struct mmu_notifier_range *range)
{
	struct vas *vas = container_of(mn, struct vas, mn);
	struct vas_memslot *slot;
	unsigned long id;
	int idx, err = 0;

	if (list_empty(&vas->binders))
		return 0;

	idx = srcu_read_lock(&vas->srcu);
	xa_for_each(&vas->slots, id, slot) {
		err = vas_mn_invalidate_memslot(vas, slot, range);
		if (err)
			break;
	}
	slot = vas_memslot_retiring(vas);
	if (!err && slot)
		err = vas_mn_invalidate_memslot(vas, slot, range);
	srcu_read_unlock(&vas->srcu, idx);
	return err;
}

static void vas_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct vas *vas = container_of(mn, struct vas, mn);
	struct vas_binder *binder;
	int idx;

	idx = srcu_read_lock(&vas->srcu);
	list_for_each_entry_srcu(binder, &vas->binders, node,
				 vas_binders_walk_allowed(vas))
		if (binder->ops->release)
			binder->ops->release(binder->data);
	srcu_read_unlock(&vas->srcu, idx);
}

static const struct mmu_notifier_ops vas_mn_ops = {
	.invalidate_range_start = vas_mn_invalidate_range_start,
	.release = vas_mn_release,
};

/**
 * vas_binders_init() - Start following the owner's address space
 * @vas: A new vas whose owner_mm is set and still has users
 *
 * Return: 0 or a negative errno.
 */
int vas_binders_init(struct vas *vas)
{
	INIT_LIST_HEAD(&vas->binders);
	vas->mn.ops = &vas_mn_ops;
	return mmu_notifier_register(&vas->mn, vas->owner_mm);
}

/* The last reference is gone: no binder is left. */
void vas_binders_destroy(struct vas *vas)
{
	WARN_ON_ONCE(!list_empty(&vas->binders));
	mmu_notifier_unregister(&vas->mn, vas->owner_mm);
}
