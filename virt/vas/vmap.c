// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas vmaps: kernel virtual mappings of guest memory
 *
 * vas_vmap() pins the owner pages behind a guest range (one memslot; the
 * range may span pages) and maps them contiguously with vmap(), so that a
 * backend can use a ring or a descriptor table with plain loads and stores.
 *
 * A vmap is only valid while the guest range still means those pages. It
 * is torn down ("invalidated") when
 *
 * - its memslot is deleted or moved, or made read-only under a writable
 *   vmap: from the memslot path, through vas_vmaps_invalidate();
 * - the owner unmaps, remaps or zaps the memory behind it, or exits: from
 *   an mmu_interval_notifier on the owner's range. Events that only change
 *   the protection of the pinned pages (fork, mprotect(), NUMA hinting,
 *   soft-dirty) leave it alone.
 *
 * Either way vas_vmap_addr() returns NULL from then on, then the holder's
 * ->invalidate op runs and must stop every access through the mapping
 * before it returns; then the mapping is removed and the pins dropped, so
 * nothing can reach the pages after they may be freed. The holder calls
 * vas_vunmap() and, if it wants, vas_vmap() again.
 *
 * A writable vmap may write any of its pages at any time, so while it is
 * valid its pages are reported dirty by every dirty log read, and once
 * more when it goes away.
 *
 * Locking: map->lock (a mutex) serializes the teardown; vas->vmaps_lock
 * protects vas->vmaps. The notifier may run under the owner's mmap_lock
 * and from reclaim, so neither lock is ever held while taking
 * vas->slots_lock or allocating memory, and the notifier does not unpin
 * itself (that locks pages to dirty them): it hands the pins to a work
 * item.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "vas_private.h"

/**
 * struct vas_vmap - a kernel mapping of a guest range
 * @vas: The vas, referenced
 * @gpa: First guest-physical address
 * @len: Length in bytes
 * @flags: VAS_MAP_*
 * @ops: The holder's ops
 * @data: Passed to @ops
 * @lock: Serializes teardown against itself
 * @addr: Kernel address of @gpa; NULL once invalidated
 * @pins: The pinned pages; NULL once invalidated
 * @npages: Number of pages
 * @notifier: Watches the owner's range behind the mapping
 * @node: In vas->vmaps
 */
struct vas_vmap {
	struct vas *vas;
	u64 gpa;
	size_t len;
	unsigned int flags;
	const struct vas_vmap_ops *ops;
	void *data;
	struct mutex lock; /* serializes teardown */
	void *addr;
	struct vas_pins *pins;
	unsigned long npages;
	struct mmu_interval_notifier notifier;
	struct list_head node;
};

static u64 vas_vmap_first_page(const struct vas_vmap *map)
{
	return map->gpa & PAGE_MASK;
}

/*
 * Unmaps @addr, the mapping vas_vmap_addr() no longer returns, and returns
 * the pins; writable, the pages are logged dirty once more.
 */
static struct vas_pins *vas_vmap_unmap(struct vas_vmap *map, void *addr)
{
	struct vas_pins *pins = map->pins;

	lockdep_assert_held(&map->lock);
	vunmap((void *)((unsigned long)addr & PAGE_MASK));
	map->pins = NULL;
	if (pins->write)
		vas_mark_dirty(map->vas, vas_vmap_first_page(map),
			       map->npages << PAGE_SHIFT);
	return pins;
}

/* The holder asked: removes the mapping, returns its pins or NULL */
static struct vas_pins *vas_vmap_remove(struct vas_vmap *map)
{
	void *addr = map->addr;

	lockdep_assert_held(&map->lock);
	if (!addr)
		return NULL;
	WRITE_ONCE(map->addr, NULL);
	return vas_vmap_unmap(map, addr);
}

/*
 * The pages went away or changed: takes the mapping from the holder and
 * tells it, after vas_vmap_addr() stopped returning the mapping so that a
 * holder looking from ->invalidate on cannot find it; returns the pins or
 * NULL.
 */
static struct vas_pins *vas_vmap_revoke(struct vas_vmap *map)
{
	void *addr = map->addr;

	lockdep_assert_held(&map->lock);
	if (!addr)
		return NULL;
	WRITE_ONCE(map->addr, NULL);
	if (map->ops && map->ops->invalidate)
		map->ops->invalidate(map, map->data);
	return vas_vmap_unmap(map, addr);
}

/*
 * The pinned pages stay the ones behind the range, whatever the owner's
 * page table says about their protection: write-protection for fork's
 * copy-on-write (a pinned page is copied for the child, not shared),
 * NUMA hinting, soft-dirty tracking and mprotect() do not change what the
 * guest range means, so they leave the vmap alone. Anything that may take
 * the page out of the range (unmap, zap, migration, exit) tears it down.
 */
static bool vas_vmap_event_keeps_pages(const struct mmu_notifier_range *range)
{
	switch (range->event) {
	case MMU_NOTIFY_PROTECTION_VMA:
	case MMU_NOTIFY_PROTECTION_PAGE:
	case MMU_NOTIFY_SOFT_DIRTY:
		return true;
	default:
		return false;
	}
}

static bool vas_vmap_notifier_invalidate(struct mmu_interval_notifier *mni,
					 const struct mmu_notifier_range *range,
					 unsigned long cur_seq)
{
	struct vas_vmap *map = container_of(mni, struct vas_vmap, notifier);
	struct vas_pins *pins;

	if (vas_vmap_event_keeps_pages(range))
		return true;
	/* The holder may sleep in ->invalidate and vunmap() does. */
	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&map->lock);
	mmu_interval_set_seq(mni, cur_seq);
	pins = vas_vmap_revoke(map);
	mutex_unlock(&map->lock);
	/* Unpinning locks the pages to dirty them: not under mmap_lock */
	if (pins)
		vas_pins_release_later(pins);
	return true;
}

static const struct mmu_interval_notifier_ops vas_vmap_notifier_ops = {
	.invalidate = vas_vmap_notifier_invalidate,
};

/* Finds the owner range of [gpa, gpa + len): it must lie in one memslot. */
static int vas_vmap_find_hva(struct vas *vas, u64 gpa, size_t len, bool write,
			     unsigned long *hva)
{
	struct vas_memslot *slot;
	u64 end;

	lockdep_assert_held(&vas->slots_lock);
	if (!len || check_add_overflow(gpa, (u64)len, &end))
		return -EINVAL;
	/* A range beyond its memslot is refused first, read-only or not */
	slot = vas_memslot_translate(vas, gpa, false);
	if (IS_ERR(slot))
		return PTR_ERR(slot);
	if (end > vas_memslot_end_gpa(slot))
		return -EFAULT;
	if (write && (slot->flags & VAS_MEM_READONLY))
		return -EPERM;
	*hva = vas_memslot_hva(slot, gpa);
	return 0;
}

/*
 * Pins and maps, with the notifier already watching: if it fired meanwhile,
 * the pages may be stale, so start over.
 */
static int vas_vmap_map(struct vas_vmap *map, unsigned long hva)
{
	bool write = map->flags & VAS_MAP_WRITE;
	struct vas_pins *pins;
	unsigned long seq;
	void *vaddr;

	for (;;) {
		seq = mmu_interval_read_begin(&map->notifier);
		pins = vas_pins_get(map->vas, hva & PAGE_MASK, map->npages,
				    write);
		if (IS_ERR(pins))
			return PTR_ERR(pins);
		vaddr = vmap(pins->pages, map->npages, VM_MAP, PAGE_KERNEL);
		if (!vaddr) {
			vas_pins_release(pins);
			return -ENOMEM;
		}
		mutex_lock(&map->lock);
		if (!mmu_interval_read_retry(&map->notifier, seq))
			break;
		mutex_unlock(&map->lock);
		vunmap(vaddr);
		vas_pins_release(pins);
	}
	map->pins = pins;
	WRITE_ONCE(map->addr, vaddr + offset_in_page(map->gpa));
	mutex_unlock(&map->lock);
	return 0;
}

/**
 * vas_vmap() - Map guest memory into the kernel
 * @vas: The vas; referenced by the vmap
 * @gpa: Guest-physical address of the first byte
 * @len: Length in bytes; [@gpa, @gpa + @len) must lie in one memslot
 * @flags: VAS_MAP_WRITE for a writable mapping
 * @ops: Told when the mapping is invalidated; may be NULL
 * @data: Passed to @ops
 *
 * Pins the pages (FOLL_LONGTERM, charged to the owner's RLIMIT_MEMLOCK)
 * and maps them contiguously; vas_vmap_addr() returns the kernel address
 * of @gpa. The mapping lives until it is invalidated (see
 * &struct vas_vmap_ops) or vas_vunmap(). The pages of a writable mapping
 * count as dirty for as long as it is valid.
 *
 * Context: Process context or kernel thread; takes the memslot lock and the
 * owner's mmap_lock.
 * Return: The vmap, or ERR_PTR(): -EINVAL for bad flags, a zero @len or a
 * wrapping range; -EFAULT if the range is not inside one memslot or cannot
 * be pinned; -EPERM for a writable mapping of a read-only memslot;
 * -ENOMEM, also beyond the owner's RLIMIT_MEMLOCK; -ESRCH if the owner is
 * gone.
 */
struct vas_vmap *vas_vmap(struct vas *vas, u64 gpa, size_t len,
			  unsigned int flags, const struct vas_vmap_ops *ops,
			  void *data)
{
	bool write = flags & VAS_MAP_WRITE;
	struct vas_vmap *map;
	unsigned long hva;
	int err;

	if (flags & ~VAS_MAP_WRITE)
		return ERR_PTR(-EINVAL);
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return ERR_PTR(-ENOMEM);
	mutex_init(&map->lock);
	map->gpa = gpa;
	map->len = len;
	map->flags = flags;
	map->ops = ops;
	map->data = data;

	/* No memslot change between the lookup and joining vas->vmaps. */
	mutex_lock(&vas->slots_lock);
	err = vas_vmap_find_hva(vas, gpa, len, write, &hva);
	if (err)
		goto err_unlock;
	map->npages = (offset_in_page(gpa) + len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	map->vas = vas;

	if (!mmget_not_zero(vas->owner_mm)) {
		err = -ESRCH;
		goto err_unlock;
	}
	err = mmu_interval_notifier_insert(&map->notifier, vas->owner_mm,
					   hva & PAGE_MASK,
					   map->npages << PAGE_SHIFT,
					   &vas_vmap_notifier_ops);
	mmput(vas->owner_mm);
	if (err)
		goto err_unlock;

	err = vas_vmap_map(map, hva);
	if (err)
		goto err_remove;

	vas_get(vas);
	mutex_lock(&vas->vmaps_lock);
	list_add_tail(&map->node, &vas->vmaps);
	mutex_unlock(&vas->vmaps_lock);
	mutex_unlock(&vas->slots_lock);
	return map;

err_remove:
	mmu_interval_notifier_remove(&map->notifier);
err_unlock:
	mutex_unlock(&vas->slots_lock);
	kfree(map);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(vas_vmap, VAS);

/**
 * vas_vmap_addr() - The kernel address of a vmap
 * @map: From vas_vmap()
 *
 * Return: The address of the first mapped byte, or NULL once the mapping
 * was invalidated.
 */
void *vas_vmap_addr(struct vas_vmap *map)
{
	return READ_ONCE(map->addr);
}
EXPORT_SYMBOL_NS_GPL(vas_vmap_addr, VAS);

/**
 * vas_vunmap() - Release a vmap
 * @map: From vas_vmap(), valid or invalidated
 *
 * Context: Process context; not from @map's ->invalidate.
 */
void vas_vunmap(struct vas_vmap *map)
{
	struct vas *vas = map->vas;
	struct vas_pins *pins;

	mutex_lock(&vas->vmaps_lock);
	list_del(&map->node);
	mutex_unlock(&vas->vmaps_lock);

	mmu_interval_notifier_remove(&map->notifier);
	mutex_lock(&map->lock);
	pins = vas_vmap_remove(map);
	mutex_unlock(&map->lock);
	if (pins)
		vas_pins_release(pins);
	kfree(map);
	vas_put(vas);
}
EXPORT_SYMBOL_NS_GPL(vas_vunmap, VAS);

/**
 * vas_vmaps_invalidate() - Tear down the vmaps a memslot change broke
 * @vas: The vas
 * @gpa: First guest-physical address of the range that changed
 * @len: Its length
 * @writable_only: Only vmaps for writing (the range became read-only)
 *
 * Context: Under vas->slots_lock.
 */
void vas_vmaps_invalidate(struct vas *vas, u64 gpa, u64 len,
			  bool writable_only)
{
	struct vas_pins *pins;
	struct vas_vmap *map;

	lockdep_assert_held(&vas->slots_lock);
	mutex_lock(&vas->vmaps_lock);
	list_for_each_entry(map, &vas->vmaps, node) {
		if (map->gpa >= gpa + len || map->gpa + map->len <= gpa)
			continue;
		if (writable_only && !(map->flags & VAS_MAP_WRITE))
			continue;
		mutex_lock(&map->lock);
		pins = vas_vmap_revoke(map);
		mutex_unlock(&map->lock);
		if (pins)
			vas_pins_release(pins);
	}
	mutex_unlock(&vas->vmaps_lock);
}

/**
 * vas_vmaps_sync_dirty() - Report the pages of writable vmaps as dirty
 * @vas: The vas
 *
 * Context: Under vas->slots_lock.
 */
void vas_vmaps_sync_dirty(struct vas *vas)
{
	struct vas_vmap *map;

	lockdep_assert_held(&vas->slots_lock);
	mutex_lock(&vas->vmaps_lock);
	list_for_each_entry(map, &vas->vmaps, node)
		if ((map->flags & VAS_MAP_WRITE) && READ_ONCE(map->addr))
			vas_mark_dirty(vas, vas_vmap_first_page(map),
				       map->npages << PAGE_SHIFT);
	mutex_unlock(&vas->vmaps_lock);
}
