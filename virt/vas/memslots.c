// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas memslot table
 *
 * A memslot maps a range of guest frame numbers (gfns) onto the owner's
 * memory. The table answers two questions: "which memslot has id N" (an
 * xarray, for VAS_SET_MEMSLOT) and "which memslot holds gfn G" (a latched
 * RB-tree, include/linux/rbtree_latch.h, for every guest-memory access).
 *
 * Readers are lockless: they hold vas->srcu and look up under RCU. Both
 * structures are intrusive or need no allocation to replace or remove an
 * entry, so a memslot change that passed validation cannot fail halfway.
 * Published memslots are immutable; a move or a flags change publishes a
 * new memslot before it retires the old one, so a concurrent reader finds
 * either the old or the new layout, never a hole. A retired memslot is
 * freed after synchronize_srcu(), which is also what guarantees that when
 * VAS_SET_MEMSLOT returns, no access is still using the old layout.
 *
 * Memslots never overlap, so a lookup key that is a gfn range finds the
 * memslot overlapping it, if any, in O(log n); a per-vas hint (the id of
 * the last memslot found) short-cuts repeated lookups and is validated
 * against the xarray on every use, so it can never point to a freed slot.
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

static u64 vas_memslot_last_gfn(const struct vas_memslot *slot)
{
	return slot->base_gfn + slot->npages - 1;
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

	rcu_read_lock();
	node = latch_tree_find(&key, &vas->gfn_tree, &vas_gfn_tree_ops);
	rcu_read_unlock();
	return node ? to_memslot(node) : NULL;
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

	slot = xa_load(&vas->slots, READ_ONCE(vas->last_used_slot));
	if (slot && gfn >= slot->base_gfn && gfn <= vas_memslot_last_gfn(slot))
		return slot;

	slot = vas_memslot_find_range(vas, gfn, gfn);
	if (slot)
		WRITE_ONCE(vas->last_used_slot, slot->id);
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

/* Called when the last reference is gone: no reader can exist any more. */
void vas_memslots_destroy(struct vas *vas)
{
	struct vas_memslot *slot;
	unsigned long id;

	xa_for_each(&vas->slots, id, slot)
		kfree(slot);
	xa_destroy(&vas->slots);
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

/* Waits until no reader can hold @old any more, then frees it. */
static void vas_memslot_retire(struct vas *vas, struct vas_memslot *old)
{
	vas_memslots_publish(vas);
	synchronize_srcu_expedited(&vas->srcu);
	kfree(old);
}

static int vas_memslot_create(struct vas *vas,
			      const struct vas_set_memslot *req)
{
	struct vas_memslot *slot;
	int err;

	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return -ENOMEM;
	slot->id = req->slot;
	slot->flags = req->flags;
	slot->base_gfn = req->guest_phys_addr >> PAGE_SHIFT;
	slot->npages = req->memory_size >> PAGE_SHIFT;
	slot->userspace_addr = req->userspace_addr;

	err = vas_memslot_check_overlap(vas, slot->base_gfn,
					vas_memslot_last_gfn(slot), NULL);
	if (err)
		goto err_free;
	err = xa_insert(&vas->slots, slot->id, slot, GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_free;

	latch_tree_insert(&slot->gfn_node, &vas->gfn_tree, &vas_gfn_tree_ops);
	vas_memslots_publish(vas);
	return 0;

err_free:
	kfree(slot);
	return err;
}

static int vas_memslot_delete(struct vas *vas, struct vas_memslot *old)
{
	xa_erase(&vas->slots, old->id);
	latch_tree_erase(&old->gfn_node, &vas->gfn_tree, &vas_gfn_tree_ops);
	vas_memslot_retire(vas, old);
	return 0;
}

/* Move and/or change the flags of @old: same id, size and owner memory. */
static int vas_memslot_replace(struct vas *vas, struct vas_memslot *old,
			       const struct vas_set_memslot *req)
{
	u64 base_gfn = req->guest_phys_addr >> PAGE_SHIFT;
	struct vas_memslot *slot;
	void *prev;
	int err;

	err = vas_memslot_check_overlap(vas, base_gfn,
					base_gfn + old->npages - 1, old);
	if (err)
		return err;

	slot = kmemdup(old, sizeof(*old), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return -ENOMEM;
	slot->base_gfn = base_gfn;
	slot->flags = req->flags;

	/* Replacing an existing xarray entry allocates nothing. */
	prev = xa_store(&vas->slots, slot->id, slot, GFP_KERNEL_ACCOUNT);
	WARN_ON_ONCE(prev != old);
	latch_tree_insert(&slot->gfn_node, &vas->gfn_tree, &vas_gfn_tree_ops);
	latch_tree_erase(&old->gfn_node, &vas->gfn_tree, &vas_gfn_tree_ops);
	vas_memslot_retire(vas, old);
	return 0;
}

/**
 * vas_memslots_set() - Apply one VAS_SET_MEMSLOT request
 * @vas: The vas
 * @req: The request, already copied from userspace
 *
 * The caller checked that it may change the memslots of @vas.
 *
 * Context: Process context; takes vas->slots_lock and may wait for an SRCU
 * grace period.
 * Return: 0 or a negative errno, see Documentation/virt/vas/uapi.rst. On
 * error nothing changed.
 */
int vas_memslots_set(struct vas *vas, const struct vas_set_memslot *req)
{
	struct vas_memslot *old;
	int err;

	err = vas_memslot_check_request(req);
	if (err)
		return err;

	mutex_lock(&vas->slots_lock);
	old = xa_load(&vas->slots, req->slot);
	if (!req->memory_size)
		err = old ? vas_memslot_delete(vas, old) : -ENOENT;
	else if (!old)
		err = vas_memslot_create(vas, req);
	else if (req->memory_size != old->npages << PAGE_SHIFT ||
		 req->userspace_addr != old->userspace_addr)
		err = -EINVAL;
	else if (req->guest_phys_addr != old->base_gfn << PAGE_SHIFT ||
		 req->flags != old->flags)
		err = vas_memslot_replace(vas, old, req);
	mutex_unlock(&vas->slots_lock);
	return err;
}
