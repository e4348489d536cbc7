// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas memslot table
 *
 * A memslot maps a range of guest frame numbers (gfns) onto the owner's
 * memory. The table answers two questions: "which memslot has id N" (an
 * xarray, for VAS_SET_MEMSLOT) and "which memslot holds gfn G" (a latched
 * RB-tree, include/linux/rbtree_latch.h, for every guest-memory access).
 *
 * Readers are lockless: they hold vas->srcu, and memslots (the tree's
 * nodes) are freed only after an SRCU grace period, so the latched tree
 * needs no RCU read lock of its own. Both structures are intrusive or need
 * no allocation to replace or remove an entry, so a memslot change that
 * passed validation cannot fail halfway. Published memslots are immutable;
 * a move or a flags change publishes a new memslot before it retires the
 * old one, so a concurrent reader finds either the old or the new layout,
 * never a hole. Retiring waits for synchronize_srcu(), which is what
 * guarantees that when VAS_SET_MEMSLOT returns, no access is still using
 * the old layout.
 *
 * Memslots never overlap, so a lookup key that is a gfn range finds the
 * memslot overlapping it, if any, in O(log n). A per-vas hint, the last
 * memslot found, short-cuts repeated lookups like KVM's last_used_slot.
 * A retired memslot is marked dead before it is unpublished, so no new
 * lookup uses it through the hint; a reader that found it earlier may
 * still store it in the hint, so after the grace period the hint is
 * cleared once more and the memslot freed only after a second grace
 * period (call_srcu()).
 *
 * vas->generation is bumped after a change is published and before the
 * old memslot is retired. A cache that reads the generation before its
 * lookup (see vas_memslots_generation()) and compares it later notices any
 * change it may have raced with.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/rbtree_latch.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vas_private.h"

/* A gfn range, inclusive, used as the lookup key of the gfn tree */
struct vas_gfn_range {
	u64 first;
	u64 last;
};

static struct vas_memslot *to_memslot(struct latch_tree_node *node)
{
	return container_of(node, struct vas_memslot, gfn_node);
}

static bool vas_memslot_less(struct latch_tree_node *a,
			     struct latch_tree_node *b)
{
	return to_memslot(a)->base_gfn < to_memslot(b)->base_gfn;
}

static int vas_memslot_comp(void *key, struct latch_tree_node *node)
{
	const struct vas_gfn_range *range = key;
	const struct vas_memslot *slot = to_memslot(node);

	if (range->last < slot->base_gfn)
		return -1;
	if (range->first > vas_memslot_last_gfn(slot))
		return 1;
	return 0;
}

static const struct latch_tree_ops vas_gfn_tree_ops = {
	.less = vas_memslot_less,
	.comp = vas_memslot_comp,
};

static void vas_assert_lookup_allowed(struct vas *vas)
{
	RCU_LOCKDEP_WARN(!srcu_read_lock_held(&vas->srcu) &&
			 !lockdep_is_held(&vas->slots_lock),
			 "vas memslot lookup outside vas->srcu and slots_lock");
}

/* Returns a memslot overlapping [first, last], or NULL. */
static struct vas_memslot *vas_memslot_find_range(struct vas *vas, u64 first,
						  u64 last)
{
	struct vas_gfn_range key = { .first = first, .last = last };
	struct latch_tree_node *node;

	/* Nodes are freed after an SRCU grace period: see the top. */
	node = latch_tree_find(&key, &vas->gfn_tree, &vas_gfn_tree_ops);
	return node ? to_memslot(node) : NULL;
}

/**
 * vas_memslot_first() - Find the first memslot overlapping a gfn range
 * @vas: The vas
 * @first: First guest frame number
 * @last: Last guest frame number, inclusive
 *
 * The tree search finds some memslot overlapping the range; narrowing the
 * range to what lies before it finds the first one in O(k log n) for k
 * memslots in the range.
 *
 * Context: As for vas_memslot_lookup().
 * Return: The memslot with the lowest base overlapping [@first, @last], or
 * NULL if there is none.
 */
struct vas_memslot *vas_memslot_first(struct vas *vas, u64 first, u64 last)
{
	struct vas_memslot *slot, *before;

	vas_assert_lookup_allowed(vas);
	slot = vas_memslot_find_range(vas, first, last);
	while (slot && slot->base_gfn > first) {
		before = vas_memslot_find_range(vas, first, slot->base_gfn - 1);
		if (!before)
			break;
		slot = before;
	}
	return slot;
}

/**
 * vas_memslot_next() - The next memslot over a gfn range
 * @vas: The vas
 * @slot: A memslot overlapping the range, from vas_memslot_first() or
 *	vas_memslot_next()
 * @last: Last guest frame number of the range, inclusive
 *
 * With vas_memslot_first(), walks the memslots over a range in address
 * order, jumping over holes::
 *
 *	for (slot = vas_memslot_first(vas, first, last); slot;
 *	     slot = vas_memslot_next(vas, slot, last))
 *
 * Context: As for vas_memslot_lookup().
 * Return: The memslot with the lowest base after @slot overlapping the
 * range, or NULL if there is none.
 */
struct vas_memslot *vas_memslot_next(struct vas *vas,
				     const struct vas_memslot *slot, u64 last)
{
	u64 slot_last = vas_memslot_last_gfn(slot);

	if (slot_last >= last)
		return NULL;
	return vas_memslot_first(vas, slot_last + 1, last);
}

/**
 * vas_memslot_lookup() - Find the memslot holding a guest frame
 * @vas: The vas
 * @gfn: Guest frame number
 *
 * Context: Inside srcu_read_lock(&vas->srcu), or with vas->slots_lock held.
 * The memslot stays valid until the read-side section ends.
 * Return: The memslot, or NULL if @gfn is in no memslot.
 */
struct vas_memslot *vas_memslot_lookup(struct vas *vas, u64 gfn)
{
	struct vas_memslot *slot;

	vas_assert_lookup_allowed(vas);

	slot = READ_ONCE(vas->last_used_slot);
	if (slot && !READ_ONCE(slot->dead) && gfn >= slot->base_gfn &&
	    gfn <= vas_memslot_last_gfn(slot))
		return slot;

	slot = vas_memslot_find_range(vas, gfn, gfn);
	if (slot)
		WRITE_ONCE(vas->last_used_slot, slot);
	return slot;
}

/**
 * vas_memslot_translate() - Find the memslot an access to a guest address uses
 * @vas: The vas
 * @gpa: Guest-physical address
 * @write: The access writes: a read-only memslot refuses it
 *
 * The lookup and permission check of every access path; the owner address
 * is then vas_memslot_hva(), up to vas_memslot_end_gpa().
 *
 * Context: As for vas_memslot_lookup().
 * Return: The memslot, or ERR_PTR(-EFAULT) if @gpa is in no memslot,
 * ERR_PTR(-EPERM) if @write and the memslot is read-only.
 */
struct vas_memslot *vas_memslot_translate(struct vas *vas, u64 gpa,
					  bool write)
{
	struct vas_memslot *slot = vas_memslot_lookup(vas, gpa >> PAGE_SHIFT);

	if (!slot)
		return ERR_PTR(-EFAULT);
	if (write && (slot->flags & VAS_MEM_READONLY))
		return ERR_PTR(-EPERM);
	return slot;
}

/**
 * vas_memslots_generation() - Read the memslot generation
 * @vas: The vas
 *
 * Read it before a lookup whose result is cached; the cache is stale once
 * a later read returns a different value.
 *
 * Return: The current generation.
 */
u64 vas_memslots_generation(struct vas *vas)
{
	u64 generation = READ_ONCE(vas->generation);

	/* Pairs with smp_wmb() in vas_memslots_publish(). */
	smp_rmb();
	return generation;
}

void vas_memslots_init(struct vas *vas)
{
	mutex_init(&vas->slots_lock);
	seqcount_latch_init(&vas->gfn_tree.seq);
	xa_init(&vas->slots);
}

static void vas_memslot_free(struct vas_memslot *slot)
{
	if (slot->dirty_bitmap)
		vas_dirty_bitmap_put(slot->dirty_bitmap);
	kfree(slot);
}

static void vas_memslot_free_rcu(struct rcu_head *head)
{
	vas_memslot_free(container_of(head, struct vas_memslot, rcu));
}

/* Called when the last reference is gone: no reader can exist any more. */
void vas_memslots_destroy(struct vas *vas)
{
	struct vas_memslot *slot;
	unsigned long id;

	xa_for_each(&vas->slots, id, slot)
		vas_memslot_free(slot);
	xa_destroy(&vas->slots);
	/* Retired memslots still waiting for their grace period */
	srcu_barrier(&vas->srcu);
}

static int vas_memslot_check_request(const struct vas_set_memslot *req)
{
	u64 end;

	if (req->flags & ~VAS_MEM_FLAGS_VALID || req->__reserved)
		return -EINVAL;
	if (req->slot >= VAS_MAX_MEMSLOTS)
		return -EINVAL;
	if (!PAGE_ALIGNED(req->guest_phys_addr) ||
	    !PAGE_ALIGNED(req->memory_size) ||
	    !PAGE_ALIGNED(req->userspace_addr))
		return -EINVAL;
	if (!req->memory_size)
		return 0;
	if (req->memory_size >> PAGE_SHIFT > VAS_MAX_MEMSLOT_PAGES)
		return -EINVAL;
	if (check_add_overflow(req->guest_phys_addr, req->memory_size, &end) ||
	    check_add_overflow(req->userspace_addr, req->memory_size, &end))
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(req->userspace_addr), req->memory_size))
		return -EINVAL;
	return 0;
}

/*
 * Returns -EEXIST if [first, last] overlaps a memslot other than @self.
 * @self's own range is covered by @self alone, so only the parts of
 * [first, last] outside it need a lookup.
 */
static int vas_memslot_check_overlap(struct vas *vas, u64 first, u64 last,
				     const struct vas_memslot *self)
{
	u64 self_last;

	if (!self || last < self->base_gfn || first > vas_memslot_last_gfn(self))
		return vas_memslot_find_range(vas, first, last) ? -EEXIST : 0;

	self_last = vas_memslot_last_gfn(self);
	if (first < self->base_gfn &&
	    vas_memslot_find_range(vas, first, self->base_gfn - 1))
		return -EEXIST;
	if (last > self_last && vas_memslot_find_range(vas, self_last + 1, last))
		return -EEXIST;
	return 0;
}

static void vas_memslots_publish(struct vas *vas)
{
	/* Pairs with smp_rmb() in vas_memslots_generation(). */
	smp_wmb();
	WRITE_ONCE(vas->generation, vas->generation + 1);
}

/**
 * vas_memslot_describe() - A memslot as binders see it
 * @slot: The memslot, or NULL for "no memslot"
 * @desc: Output: its description, all zero for NULL
 */
void vas_memslot_describe(const struct vas_memslot *slot,
			  struct vas_memslot_desc *desc)
{
	*desc = (struct vas_memslot_desc){};
	if (!slot)
		return;
	desc->guest_phys_addr = slot->base_gfn << PAGE_SHIFT;
	desc->size = slot->npages << PAGE_SHIFT;
	desc->userspace_addr = slot->userspace_addr;
	desc->flags = slot->flags;
}

/*
 * Allocates the memslot @req describes. Its dirty log is @old's if both
 * log (a move or a flags change keeps the log), else a new one if it logs.
 */
static struct vas_memslot *vas_memslot_new(const struct vas_set_memslot *req,
					   const struct vas_memslot *old)
{
	struct vas_memslot *slot;

	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return NULL;
	slot->id = req->slot;
	slot->flags = req->flags;
	slot->base_gfn = req->guest_phys_addr >> PAGE_SHIFT;
	slot->npages = req->memory_size >> PAGE_SHIFT;
	slot->userspace_addr = req->userspace_addr;
	if (!(req->flags & VAS_MEM_LOG_DIRTY_PAGES))
		return slot;
	if (old && old->dirty_bitmap) {
		slot->dirty_bitmap = vas_dirty_bitmap_get(old->dirty_bitmap);
	} else {
		slot->dirty_bitmap = vas_dirty_bitmap_alloc(slot->npages);
		if (!slot->dirty_bitmap) {
			kfree(slot);
			return NULL;
		}
	}
	return slot;
}

/*
 * Publishes @new in place of @old (either may be NULL) and waits until no
 * access uses @old any more. @old stays vas->retiring, so that the mmu
 * notifier still reports unmaps of its memory to the binders, until
 * vas_memslot_retire() after the binders were told. Cannot fail.
 */
static void vas_memslot_install(struct vas *vas, struct vas_memslot *old,
				struct vas_memslot *new)
{
	if (old) {
		WRITE_ONCE(old->dead, true);
		WRITE_ONCE(vas->retiring, old);
	}
	if (new) {
		xa_store(&vas->slots, new->id, new, GFP_KERNEL_ACCOUNT);
		latch_tree_insert(&new->gfn_node, &vas->gfn_tree,
				  &vas_gfn_tree_ops);
	} else {
		xa_erase(&vas->slots, old->id);
	}
	if (old)
		latch_tree_erase(&old->gfn_node, &vas->gfn_tree,
				 &vas_gfn_tree_ops);
	vas_memslots_publish(vas);
	if (old)
		synchronize_srcu_expedited(&vas->srcu);
}

/*
 * Whether @change takes something away from the memslot it replaces: all
 * of its range (delete, move), or write access to it (made read-only,
 * with *@writes_only set).
 */
static bool vas_memslot_change_revokes(const struct vas_memslot_change *change,
				       bool *writes_only)
{
	*writes_only = change->kind == VAS_MEMSLOT_FLAGS_ONLY &&
		       ~change->old.flags & change->new.flags & VAS_MEM_READONLY;
	return change->kind == VAS_MEMSLOT_DELETE ||
	       change->kind == VAS_MEMSLOT_MOVE || *writes_only;
}

/*
 * The binders know @old is gone: stop reporting its unmaps and free it
 * after one more grace period (see the top for the lookup hint).
 */
static void vas_memslot_retire(struct vas *vas, struct vas_memslot *old)
{
	if (!old)
		return;
	WRITE_ONCE(vas->retiring, NULL);
	cmpxchg(&vas->last_used_slot, old, NULL);
	call_srcu(&vas->srcu, &old->rcu, vas_memslot_free_rcu);
}

/**
 * vas_memslot_retiring() - The memslot a change is retiring, if any
 * @vas: The vas
 *
 * Context: Inside srcu_read_lock(&vas->srcu); the memslot stays valid
 * until the read-side section ends.
 * Return: The memslot, or NULL.
 */
struct vas_memslot *vas_memslot_retiring(struct vas *vas)
{
	return READ_ONCE(vas->retiring);
}

/*
 * Makes the change of @kind from @old to @new (either NULL for a create or
 * a delete), once every binder accepted it: tears down the vmaps of what
 * it takes away, publishes the new layout, tells the binders what it took
 * away, lets them commit and frees @old. On a veto nothing changed, and
 * the caller still owns @new.
 */
static int vas_memslot_apply(struct vas *vas,
			     enum vas_memslot_change_kind kind,
			     struct vas_memslot *old, struct vas_memslot *new)
{
	struct vas_memslot_change change = {
		.kind = kind,
		.slot = old ? old->id : new->id,
	};
	bool revokes, writes_only;
	int err;

	lockdep_assert_held(&vas->slots_lock);
	vas_memslot_describe(old, &change.old);
	vas_memslot_describe(new, &change.new);
	err = vas_binders_prepare(vas, &change);
	if (err)
		return err;
	revokes = vas_memslot_change_revokes(&change, &writes_only);
	/*
	 * vmaps go first, while the old layout is published: tearing one
	 * down logs its pages dirty at their old guest address, in the log
	 * that a moved memslot keeps. No vmap can be made meanwhile: that
	 * takes slots_lock.
	 */
	if (revokes)
		vas_vmaps_invalidate(vas, change.old.guest_phys_addr,
				     change.old.size, writes_only);
	vas_memslot_install(vas, old, new);
	if (revokes)
		vas_binders_invalidate(vas, change.old.guest_phys_addr,
				       change.old.size);
	vas_binders_commit(vas, &change);
	vas_memslot_retire(vas, old);
	return 0;
}

static int vas_memslot_create(struct vas *vas,
			      const struct vas_set_memslot *req)
{
	u64 base_gfn = req->guest_phys_addr >> PAGE_SHIFT;
	u64 npages = req->memory_size >> PAGE_SHIFT;
	struct vas_memslot *new;
	int err;

	if (vas_memslot_find_range(vas, base_gfn, base_gfn + npages - 1))
		return -EEXIST;
	new = vas_memslot_new(req, NULL);
	if (!new)
		return -ENOMEM;
	/* Makes the xa_store() of vas_memslot_install() allocation-free */
	err = xa_reserve(&vas->slots, new->id, GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_free;
	err = vas_memslot_apply(vas, VAS_MEMSLOT_CREATE, NULL, new);
	if (err)
		goto err_release;
	return 0;

err_release:
	xa_release(&vas->slots, new->id);
err_free:
	vas_memslot_free(new);
	return err;
}

static int vas_memslot_delete(struct vas *vas, struct vas_memslot *old)
{
	return vas_memslot_apply(vas, VAS_MEMSLOT_DELETE, old, NULL);
}

/* A move or a flags change: a new memslot for the same owner memory */
static int vas_memslot_replace(struct vas *vas, struct vas_memslot *old,
			       const struct vas_set_memslot *req,
			       enum vas_memslot_change_kind kind)
{
	u64 base_gfn = req->guest_phys_addr >> PAGE_SHIFT;
	struct vas_memslot *new;
	int err;

	if (kind == VAS_MEMSLOT_MOVE &&
	    vas_memslot_check_overlap(vas, base_gfn,
				      base_gfn + old->npages - 1, old))
		return -EEXIST;
	new = vas_memslot_new(req, old);
	if (!new)
		return -ENOMEM;
	err = vas_memslot_apply(vas, kind, old, new);
	if (err)
		vas_memslot_free(new);
	return err;
}

/**
 * vas_memslots_set() - Apply one VAS_SET_MEMSLOT request
 * @vas: The vas
 * @req: The request, already copied from userspace
 *
 * Validates the request and decides what it does to the memslot it names,
 * as __kvm_set_memory_region() does: create, delete, move, change the
 * flags, or nothing. The change is offered to every binder (any may veto
 * it) and then made, see vas_memslot_apply(). The caller checked that it
 * may change the memslots.
 *
 * Context: Process context; takes vas->slots_lock and may wait for an SRCU
 * grace period.
 * Return: 0 or a negative errno, see Documentation/virt/vas/uapi.rst. On
 * error nothing changed.
 */
int vas_memslots_set(struct vas *vas, const struct vas_set_memslot *req)
{
	u64 base_gfn = req->guest_phys_addr >> PAGE_SHIFT;
	u64 npages = req->memory_size >> PAGE_SHIFT;
	struct vas_memslot *old;
	int err;

	err = vas_memslot_check_request(req);
	if (err)
		return err;

	mutex_lock(&vas->slots_lock);
	old = xa_load(&vas->slots, req->slot);
	if (!npages)
		err = old ? vas_memslot_delete(vas, old) : -ENOENT;
	else if (!old)
		err = vas_memslot_create(vas, req);
	else if (npages != old->npages ||
		 req->userspace_addr != old->userspace_addr)
		err = -EINVAL;
	else if (base_gfn != old->base_gfn)
		err = vas_memslot_replace(vas, old, req, VAS_MEMSLOT_MOVE);
	else if (req->flags != old->flags)
		err = vas_memslot_replace(vas, old, req, VAS_MEMSLOT_FLAGS_ONLY);
	/* else nothing changes */
	mutex_unlock(&vas->slots_lock);
	return err;
}
