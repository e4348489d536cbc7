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
 * keep sgmaps short-lived.
 *
 * An sgmap for writing may write any of its pages at any time, like a
 * writable vmap, so its pages are reported dirty by every dirty log read
 * while it exists, and once more when it is unmapped. They are reported
 * in the log of the memslot they belong to, wherever that memslot has
 * moved since: the sgmap remembers its pages as spans of memslot id,
 * page index and owner address, not as guest addresses, which a move
 * would make point elsewhere. A span whose memslot id now maps other
 * owner memory (deleted, created again) is not reported.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "vas_private.h"

/**
 * struct vas_sgmap_span - pages of an sgmap that one memslot held
 * @slot: Memslot id
 * @first: Index of the first page in the memslot
 * @npages: Number of pages
 * @hva: Owner address of the first page
 */
struct vas_sgmap_span {
	u32 slot;
	u64 first;
	u64 npages;
	unsigned long hva;
};

/**
 * struct vas_sgmap - a pinned guest range and its scatterlist
 * @sgt: The scatterlist
 * @pins: The pinned pages
 * @gpa: First guest-physical address
 * @len: Length in bytes
 * @spans: For writing: where the pages came from, for the dirty log
 * @nspans: Number of @spans
 * @node: For writing: in vas->sgmaps
 */
struct vas_sgmap {
	struct sg_table sgt;
	struct vas_pins *pins;
	u64 gpa;
	size_t len;
	struct vas_sgmap_span *spans;
	unsigned int nspans;
	struct list_head node;
};

/*
 * Remembers that the next @n pages of @map are @slot's from page @first
 * on, at owner address @hva
 */
static int vas_sgmap_add_span(struct vas_sgmap *map,
			      const struct vas_memslot *slot, u64 first,
			      unsigned long n, unsigned long hva)
{
	struct vas_sgmap_span *spans;

	spans = krealloc_array(map->spans, map->nspans + 1, sizeof(*spans),
			       GFP_KERNEL_ACCOUNT);
	if (!spans)
		return -ENOMEM;
	spans[map->nspans++] = (struct vas_sgmap_span){
		.slot = slot->id,
		.first = first,
		.npages = n,
		.hva = hva,
	};
	map->spans = spans;
	return 0;
}

/*
 * Pins the @npages pages from guest frame @gfn on into @map, memslot by
 * memslot. The caller checked that the range does not wrap.
 */
static int vas_sgmap_pin(struct vas *vas, struct vas_sgmap *map, u64 gfn,
			 unsigned long npages)
{
	struct vas_pins *pins = map->pins;
	u64 end_gfn = gfn + npages;
	struct vas_memslot *slot;
	unsigned long hva, n;
	int err = 0, idx;

	idx = srcu_read_lock(&vas->srcu);
	while (gfn < end_gfn) {
		slot = vas_memslot_translate(vas, gfn << PAGE_SHIFT, pins->write);
		if (IS_ERR(slot)) {
			err = PTR_ERR(slot);
			break;
		}
		n = min(vas_memslot_last_gfn(slot) + 1, end_gfn) - gfn;
		hva = vas_memslot_hva(slot, gfn << PAGE_SHIFT);
		if (pins->write) {
			err = vas_sgmap_add_span(map, slot, gfn - slot->base_gfn,
						 n, hva);
			if (err)
				break;
		}
		err = vas_pins_pin(pins, hva, n);
		if (err)
			break;
		gfn += n;
	}
	srcu_read_unlock(&vas->srcu, idx);
	return err;
}

/**
 * vas_sgmap() - Pin guest memory and describe it with a scatterlist
 * @vas: The vas; referenced by the sgmap
 * @gpa: Guest-physical address of the first byte
 * @len: Length in bytes; the range may cross pages and memslots, but
 *	every byte must be in a memslot
 * @flags: VAS_MAP_WRITE if the pages will be written
 *
 * Pins the pages (FOLL_LONGTERM, charged to the owner's RLIMIT_MEMLOCK) and
 * builds an sg_table over them, available from vas_sgmap_table(). Unlike
 * a vmap it is never invalidated: the pages stay pinned until
 * vas_sgunmap(), like a DMA mapping, so keep it short-lived; in particular
 * a memslot made read-only meanwhile does not stop a writable sgmap from
 * writing. For writing, its pages are logged dirty by every dirty log read
 * while it exists and at vas_sgunmap(), in their memslots' logs.
 *
 * Context: Process context or kernel thread; takes the owner's mmap_lock.
 * Return: The sgmap, or ERR_PTR(): -EINVAL for bad flags, a zero @len or a
 * range that wraps past the end of the address space; -EFAULT if part of
 * the range is in no memslot or cannot be pinned; -EPERM to write a
 * read-only memslot; -ENOMEM, also beyond the owner's RLIMIT_MEMLOCK or
 * for more pages than one sgmap holds; -ESRCH if the owner is gone.
 */
struct vas_sgmap *vas_sgmap(struct vas *vas, u64 gpa, size_t len,
			    unsigned int flags)
{
	struct vas_sgmap *map;
	u64 last, npages;
	int err;

	/* The last byte, not the end: a range may reach the top of the space */
	if (flags & ~VAS_MAP_WRITE || !len ||
	    check_add_overflow(gpa, (u64)len - 1, &last))
		return ERR_PTR(-EINVAL);
	npages = (last >> PAGE_SHIFT) - (gpa >> PAGE_SHIFT) + 1;
	/* sg_alloc_table_from_pages() counts pages in an unsigned int */
	if (npages > UINT_MAX)
		return ERR_PTR(-ENOMEM);
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->gpa = gpa;
	map->len = len;

	map->pins = vas_pins_alloc(vas, npages, flags & VAS_MAP_WRITE);
	if (IS_ERR(map->pins)) {
		err = PTR_ERR(map->pins);
		goto err_free;
	}
	err = vas_sgmap_pin(vas, map, gpa >> PAGE_SHIFT, npages);
	if (err)
		goto err_release;
	err = sg_alloc_table_from_pages(&map->sgt, map->pins->pages, npages,
					offset_in_page(gpa), len,
					GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_release;
	if (map->pins->write) {
		mutex_lock(&vas->sgmaps_lock);
		list_add_tail(&map->node, &vas->sgmaps);
		mutex_unlock(&vas->sgmaps_lock);
	}
	return map;

err_release:
	vas_pins_release(map->pins);
err_free:
	kfree(map->spans);
	kfree(map);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(vas_sgmap, VAS);

/**
 * vas_sgmap_table() - The scatterlist of an sgmap
 * @map: From vas_sgmap()
 *
 * Return: The sg_table; its first entry starts at the offset of @gpa in
 * its page, and the entries add up to @len.
 */
struct sg_table *vas_sgmap_table(struct vas_sgmap *map)
{
	return &map->sgt;
}
EXPORT_SYMBOL_NS_GPL(vas_sgmap_table, VAS);

/* Logs the pages of a writable sgmap in their memslots' dirty logs */
static void vas_sgmap_mark_dirty(struct vas *vas, struct vas_sgmap *map)
{
	const struct vas_sgmap_span *span;
	struct vas_memslot *slot;
	unsigned int i;
	int idx;
	u64 gpa;

	idx = srcu_read_lock(&vas->srcu);
	for (i = 0; i < map->nspans; i++) {
		span = &map->spans[i];
		slot = xa_load(&vas->slots, span->slot);
		if (!slot || span->first + span->npages > slot->npages)
			continue;
		gpa = (slot->base_gfn + span->first) << PAGE_SHIFT;
		if (vas_memslot_hva(slot, gpa) != span->hva)
			continue;
		vas_memslot_mark_dirty(slot, gpa, span->npages << PAGE_SHIFT);
	}
	srcu_read_unlock(&vas->srcu, idx);
}

/**
 * vas_sgunmap() - Release an sgmap
 * @map: From vas_sgmap()
 *
 * Context: Process context; may sleep.
 */
void vas_sgunmap(struct vas_sgmap *map)
{
	struct vas *vas = map->pins->vas;

	if (map->pins->write) {
		mutex_lock(&vas->sgmaps_lock);
		list_del(&map->node);
		mutex_unlock(&vas->sgmaps_lock);
		vas_sgmap_mark_dirty(vas, map);
	}
	sg_free_table(&map->sgt);
	vas_pins_release(map->pins);
	kfree(map->spans);
	kfree(map);
}
EXPORT_SYMBOL_NS_GPL(vas_sgunmap, VAS);

/**
 * vas_sgmaps_sync_dirty() - Report the pages of writable sgmaps as dirty
 * @vas: The vas
 *
 * Context: Under vas->slots_lock.
 */
void vas_sgmaps_sync_dirty(struct vas *vas)
{
	struct vas_sgmap *map;

	lockdep_assert_held(&vas->slots_lock);
	mutex_lock(&vas->sgmaps_lock);
	list_for_each_entry(map, &vas->sgmaps, node)
		vas_sgmap_mark_dirty(vas, map);
	mutex_unlock(&vas->sgmaps_lock);
}
