/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vas: guest-physical address spaces, the in-kernel API
 *
 * A struct vas is a guest-physical address space created by vas_create(2).
 * Its owner process maps guest-physical ranges (memslots) onto its own
 * memory. Kernel code that has been handed the vas file descriptor takes a
 * reference with vas_get_from_fd() and reaches guest memory with
 * vas_read() and vas_write() from any context that may sleep: the owner
 * process, a kernel thread or any other process. See
 * Documentation/virt/vas/kernel-api.rst.
 *
 * All functions are exported in the VAS symbol namespace:
 * MODULE_IMPORT_NS(VAS).
 */
#ifndef __LINUX_VAS_H
#define __LINUX_VAS_H

#include <linux/bits.h>
#include <linux/err.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/vas.h>

struct vas;
struct vas_binder;
struct vas_vmap;
struct vas_sgmap;
struct sg_table;

/**
 * enum vas_memslot_change_kind - what a memslot change does
 * @VAS_MEMSLOT_CREATE: a new memslot (@old of the change is all zero)
 * @VAS_MEMSLOT_DELETE: the memslot goes away (@new is all zero)
 * @VAS_MEMSLOT_MOVE: new guest-physical address, same memory and size; the
 *	flags may change too
 * @VAS_MEMSLOT_FLAGS_ONLY: same place, new flags
 */
enum vas_memslot_change_kind {
	VAS_MEMSLOT_CREATE,
	VAS_MEMSLOT_DELETE,
	VAS_MEMSLOT_MOVE,
	VAS_MEMSLOT_FLAGS_ONLY,
};

/**
 * struct vas_memslot_desc - one memslot as binders see it
 * @guest_phys_addr: First guest-physical address
 * @size: Size in bytes; 0 for "no memslot"
 * @userspace_addr: Owner address the memslot maps to
 * @flags: VAS_MEM_* flags
 */
struct vas_memslot_desc {
	u64 guest_phys_addr;
	u64 size;
	unsigned long userspace_addr;
	u32 flags;
};

/**
 * struct vas_memslot_change - a memslot change offered to binders
 * @kind: What the change does
 * @slot: Memslot id
 * @old: The memslot before the change
 * @new: The memslot after the change
 */
struct vas_memslot_change {
	enum vas_memslot_change_kind kind;
	u32 slot;
	struct vas_memslot_desc old;
	struct vas_memslot_desc new;
};

/**
 * struct vas_binder_ops - what a binder is told
 * @prepare: A memslot change is about to happen. Return 0 to accept it, or
 *	a negative errno to veto it: the change is then not made, for any
 *	binder, and VAS_SET_MEMSLOT fails with that errno. Optional.
 * @commit: The change that every binder accepted is now in effect. The
 *	ranges it removed were already invalidated. Optional.
 * @abort: The change this binder accepted was vetoed by another binder
 *	or failed; nothing changed. Optional.
 * @invalidate: Guest-physical range [@gpa, @gpa + @len) no longer maps to
 *	what it did: its memslot was deleted or moved or made read-only, or
 *	the owner unmapped or changed the memory behind it. Drop whatever was
 *	derived from it. Optional.
 * @sync_dirty: VAS_GET_DIRTY_LOG is about to read the dirty log of
 *	memslot @slot: report pages written outside the vas with
 *	vas_mark_dirty(). Optional.
 * @release: The owner's address space is going away: no guest memory
 *	is reachable any more. The binder stays bound until vas_unbind().
 *	Optional.
 * @prepare_applies: @prepare makes the change itself, for a binder that
 *	cannot tell whether it can take a change without making it (KVM).
 *	Such a binder is offered each change only after every other binder
 *	accepted it, so that no veto can follow its @prepare and its @abort
 *	only runs for memslots it accepted during vas_bind()'s replay. A vas
 *	has at most one: vas_bind() fails with -EBUSY for a second one.
 *
 * @prepare, @commit, @abort and @sync_dirty run under the vas's memslot
 * lock; @invalidate there or from an mmu notifier with the owner's
 * mmap_lock held, @release from the mmu notifier:
 * none may call back into vas_bind(), vas_unbind() or change memslots, and
 * none may sleep on something that waits for a memslot change.
 */
struct vas_binder_ops {
	int (*prepare)(void *data, const struct vas_memslot_change *change);
	void (*commit)(void *data, const struct vas_memslot_change *change);
	void (*abort)(void *data, const struct vas_memslot_change *change);
	void (*invalidate)(void *data, u64 gpa, u64 len);
	void (*sync_dirty)(void *data, u32 slot);
	void (*release)(void *data);
	bool prepare_applies;
};

/* Flags of vas_vmap() */
#define VAS_MAP_WRITE	BIT(0)	/* the mapping is written to */

/**
 * struct vas_vmap_ops - what the holder of a vmap is told
 * @invalidate: The mapping is about to go away: its memslot changed, or
 *	the owner unmapped or remapped the memory, or exited. vas_vmap_addr()
 *	returns NULL already; stop every access through the mapping before
 *	returning. May sleep; runs under the owner's mmap_lock or the vas's
 *	memslot lock, so it must not call vas_vunmap() or change memslots,
 *	nor wait for anything that faults on owner memory (a worker inside
 *	vas_read(), say) or takes the owner's mmap_lock.
 */
struct vas_vmap_ops {
	void (*invalidate)(struct vas_vmap *map, void *data);
};

/**
 * struct vas_gpc - a gfn->pfn cache: a cached kernel address of guest memory
 * @lock: Taken for read around every use of @khva, for write by updates;
 *	usable with interrupts disabled
 * @refresh_lock: Serializes vas_gpc_refresh(), activate and deactivate
 * @vas: The vas, set by vas_gpc_init(); the caller keeps it referenced
 * @gpa: Guest-physical address of the cached range
 * @len: Length of the cached range; within one page
 * @flags: VAS_MAP_WRITE if the cache is written through
 * @active: Between vas_gpc_activate() and vas_gpc_deactivate()
 * @valid: The translation is current, as far as the mm is concerned
 * @generation: Memslot generation the translation was made under
 * @uhva: Owner address of the page
 * @khva: Kernel address of @gpa; use only after vas_gpc_check() under @lock
 * @notifier: Watches the owner page
 * @notifier_active: @notifier is inserted
 *
 * Usage, from any context once activated::
 *
 *	read_lock_irqsave(&gpc->lock, flags);
 *	while (!vas_gpc_check(gpc, len)) {
 *		read_unlock_irqrestore(&gpc->lock, flags);
 *		err = vas_gpc_refresh(gpc, len);	// sleeps
 *		if (err)
 *			return err;
 *		read_lock_irqsave(&gpc->lock, flags);
 *	}
 *	... use gpc->khva, and vas_gpc_mark_dirty(gpc) after writing ...
 *	read_unlock_irqrestore(&gpc->lock, flags);
 */
struct vas_gpc {
	rwlock_t lock;
	struct mutex refresh_lock; /* serializes refreshes */
	struct vas *vas;
	u64 gpa;
	unsigned long len;
	unsigned int flags;
	bool active;
	bool valid;
	u64 generation;
	unsigned long uhva;
	void *khva;
	struct mmu_interval_notifier notifier;
	bool notifier_active;
};

#if IS_ENABLED(CONFIG_VAS)

/* Each function is documented at its definition in virt/vas/. */

/* main.c: references */
struct vas *vas_get_from_fd(int fd);
void vas_get(struct vas *vas);
void vas_put(struct vas *vas);
struct mm_struct *vas_owner_mm(struct vas *vas);

/* access.c: copies */
int vas_read(struct vas *vas, u64 gpa, void *buf, size_t len);
int vas_write(struct vas *vas, u64 gpa, const void *buf, size_t len);
int vas_read_once(struct vas *vas, u64 gpa, void *val, unsigned int size);
int vas_write_once(struct vas *vas, u64 gpa, const void *val,
		   unsigned int size);

/* binder.c, dirty.c: binders and the dirty log */
struct vas_binder *vas_bind(struct vas *vas, const struct vas_binder_ops *ops,
			    void *data);
void vas_unbind(struct vas_binder *binder);
void vas_mark_dirty(struct vas *vas, u64 gpa, u64 len);

/* vmap.c, sgmap.c: kernel mappings and scatterlists */
struct vas_vmap *vas_vmap(struct vas *vas, u64 gpa, size_t len,
			  unsigned int flags, const struct vas_vmap_ops *ops,
			  void *data);
void *vas_vmap_addr(struct vas_vmap *map);
void vas_vunmap(struct vas_vmap *map);
struct vas_sgmap *vas_sgmap(struct vas *vas, u64 gpa, size_t len,
			    unsigned int flags);
struct sg_table *vas_sgmap_table(struct vas_sgmap *map);
void vas_sgunmap(struct vas_sgmap *map);

/* pfncache.c: the gfn->pfn cache */
void vas_gpc_init(struct vas_gpc *gpc, struct vas *vas);
int vas_gpc_activate(struct vas_gpc *gpc, u64 gpa, unsigned long len,
		     unsigned int flags);
bool vas_gpc_check(struct vas_gpc *gpc, unsigned long len);
int vas_gpc_refresh(struct vas_gpc *gpc, unsigned long len);
void vas_gpc_deactivate(struct vas_gpc *gpc);
void vas_gpc_mark_dirty(struct vas_gpc *gpc);

#else /* !CONFIG_VAS */

static inline struct vas *vas_get_from_fd(int fd)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void vas_get(struct vas *vas)
{
}

static inline void vas_put(struct vas *vas)
{
}

static inline int vas_read(struct vas *vas, u64 gpa, void *buf, size_t len)
{
	return -EOPNOTSUPP;
}

static inline int vas_write(struct vas *vas, u64 gpa, const void *buf,
			    size_t len)
{
	return -EOPNOTSUPP;
}

static inline int vas_read_once(struct vas *vas, u64 gpa, void *val,
				unsigned int size)
{
	return -EOPNOTSUPP;
}

static inline int vas_write_once(struct vas *vas, u64 gpa, const void *val,
				 unsigned int size)
{
	return -EOPNOTSUPP;
}

static inline struct vas_binder *vas_bind(struct vas *vas,
					  const struct vas_binder_ops *ops,
					  void *data)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline struct mm_struct *vas_owner_mm(struct vas *vas)
{
	return NULL;
}

static inline void vas_unbind(struct vas_binder *binder)
{
}

static inline void vas_mark_dirty(struct vas *vas, u64 gpa, u64 len)
{
}

static inline struct vas_vmap *vas_vmap(struct vas *vas, u64 gpa, size_t len,
					unsigned int flags,
					const struct vas_vmap_ops *ops,
					void *data)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void *vas_vmap_addr(struct vas_vmap *map)
{
	return NULL;
}

static inline void vas_vunmap(struct vas_vmap *map)
{
}

static inline struct vas_sgmap *vas_sgmap(struct vas *vas, u64 gpa,
					  size_t len, unsigned int flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline struct sg_table *vas_sgmap_table(struct vas_sgmap *map)
{
	return NULL;
}

static inline void vas_sgunmap(struct vas_sgmap *map)
{
}

static inline void vas_gpc_init(struct vas_gpc *gpc, struct vas *vas)
{
}

static inline int vas_gpc_activate(struct vas_gpc *gpc, u64 gpa,
				   unsigned long len, unsigned int flags)
{
	return -EOPNOTSUPP;
}

static inline bool vas_gpc_check(struct vas_gpc *gpc, unsigned long len)
{
	return false;
}

static inline int vas_gpc_refresh(struct vas_gpc *gpc, unsigned long len)
{
	return -EOPNOTSUPP;
}

static inline void vas_gpc_deactivate(struct vas_gpc *gpc)
{
}

static inline void vas_gpc_mark_dirty(struct vas_gpc *gpc)
{
}

#endif /* CONFIG_VAS */

#endif /* __LINUX_VAS_H */
