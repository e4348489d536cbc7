// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas sgmaps: scatterlists of guest memory
 *
 * vas_sgmap() pins the owner pages behind a guest range, which may cross
 * page and memslot boundaries (but no hole), and describes them with an
 * sg_table, ready for dma_map_sgtable() or sg_copy_{to,from}_buffer(). It
 * is the vas form of a DMA mapping: the pages stay pinned (and charged to
 * the owner's RLIMIT_MEMLOCK, see pin.c) until vas_sgunmap(), whatever
 * happens to the memslots or the owner's mappings meanwhile, so holders
 * keep sgmaps short-lived. An sgmap for writing logs its whole range dirty
 * when it is unmapped.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "vas_private.h"

/**
 * struct vas_sgmap - a pinned guest range and its scatterlist
 * @sgt: The scatterlist
 * @pins: The pinned pages
 * @gpa: First guest-physical address
 * @len: Length in bytes
 */
struct vas_sgmap {
	struct sg_table sgt;
	struct vas_pins *pins;
	u64 gpa;
	size_t len;
};

/* Pins the pages behind [gpa, gpa + len), memslot by memslot. */
static int vas_sgmap_pin(struct vas *vas, struct vas_pins *pins, u64 gpa,
			 size_t len)
{
	u64 page = gpa & PAGE_MASK, end = gpa + len;
	struct vas_memslot *slot;
	unsigned long hva, n;
	int err = 0, idx;

	idx = srcu_read_lock(&vas->srcu);
	while (page < end) {
		slot = vas_memslot_lookup(vas, page >> PAGE_SHIFT);
		if (!slot) {
			err = -EFAULT;
			break;
		}
		if (pins->write && (slot->flags & VAS_MEM_READONLY)) {
			err = -EPERM;
			break;
		}
		n = min_t(u64, slot->base_gfn + slot->npages,
			  (end + PAGE_SIZE - 1) >> PAGE_SHIFT) -
		    (page >> PAGE_SHIFT);
		hva = slot->userspace_addr +
		      (page - (slot->base_gfn << PAGE_SHIFT));
		err = vas_pins_pin(pins, hva, n);
		if (err)
			break;
		page += n << PAGE_SHIFT;
	}
	srcu_read_unlock(&vas->srcu, idx);
	return err;
}

struct vas_sgmap *vas_sgmap(struct vas *vas, u64 gpa, size_t len,
			    unsigned int flags)
{
	struct vas_sgmap *map;
	unsigned long npages;
	u64 end;
	int err;

	if (flags & ~VAS_MAP_WRITE || !len ||
	    check_add_overflow(gpa, (u64)len, &end))
		return ERR_PTR(-EINVAL);
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->gpa = gpa;
	map->len = len;

	npages = (offset_in_page(gpa) + len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	map->pins = vas_pins_alloc(vas, npages, flags & VAS_MAP_WRITE);
	if (IS_ERR(map->pins)) {
		err = PTR_ERR(map->pins);
		goto err_free;
	}
	err = vas_sgmap_pin(vas, map->pins, gpa, len);
	if (err)
		goto err_release;
	err = sg_alloc_table_from_pages(&map->sgt, map->pins->pages, npages,
					offset_in_page(gpa), len,
					GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_release;
	return map;

err_release:
	vas_pins_release(map->pins);
err_free:
	kfree(map);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(vas_sgmap, VAS);

struct sg_table *vas_sgmap_table(struct vas_sgmap *map)
{
	return &map->sgt;
}
EXPORT_SYMBOL_NS_GPL(vas_sgmap_table, VAS);

void vas_sgunmap(struct vas_sgmap *map)
{
	if (map->pins->write)
		vas_mark_dirty(map->pins->vas, map->gpa, map->len);
	sg_free_table(&map->sgt);
	vas_pins_release(map->pins);
	kfree(map);
}
EXPORT_SYMBOL_NS_GPL(vas_sgunmap, VAS);
