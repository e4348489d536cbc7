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

/**
 * vas_get_from_fd() - Take a reference on the vas behind a file descriptor
 * @fd: File descriptor of the calling process, as returned by vas_create(2)
 *
 * The reference is independent of the file: the vas stays alive after the
 * descriptor is closed, until the matching vas_put().
 *
 * Context: Process context.
 * Return: The vas, or ERR_PTR(-EBADF) if @fd is not an open file,
 * ERR_PTR(-EINVAL) if it is not a vas.
 */
struct vas *vas_get_from_fd(int fd);

/**
 * vas_get() - Take another reference on a vas
 * @vas: A vas the caller already holds a reference on
 *
 * Context: Any context.
 */
void vas_get(struct vas *vas);

/**
 * vas_put() - Drop a reference on a vas
 * @vas: The vas; freed with all its memslots when this was the last one
 *
 * Context: Process context; may sleep.
 */
void vas_put(struct vas *vas);

/**
 * vas_read() - Read guest-physical memory
 * @vas: The vas
 * @gpa: Guest-physical address of the first byte
 * @buf: Kernel buffer of at least @len bytes
 * @len: Number of bytes to read; the range may span memslots
 *
 * Copies from the owner's memory behind the memslots. Works from the owner
 * process, from a kernel thread (it borrows the owner's mm) and from any
 * other process (remote access to the owner's mm).
 *
 * Context: Process context or kernel thread; may sleep. No vas lock may be
 * held by the caller.
 * Return: 0 on success; -EFAULT if part of the range is not covered by a
 * memslot or not mapped in the owner; -ESRCH if the owner's address space
 * is gone; -EINVAL if @gpa + @len overflows. On error, @buf may be
 * partially written.
 */
int vas_read(struct vas *vas, u64 gpa, void *buf, size_t len);

/**
 * vas_write() - Write guest-physical memory
 * @vas: The vas
 * @gpa: Guest-physical address of the first byte
 * @buf: Kernel buffer of at least @len bytes
 * @len: Number of bytes to write; the range may span memslots
 *
 * The counterpart of vas_read(), with the same contexts.
 *
 * Context: Process context or kernel thread; may sleep. No vas lock may be
 * held by the caller.
 * Return: 0 on success; -EPERM if part of the range is in a read-only
 * memslot; -EFAULT, -ESRCH or -EINVAL as for vas_read(). On error, a
 * prefix of the range may have been written.
 */
int vas_write(struct vas *vas, u64 gpa, const void *buf, size_t len);

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
			    void *data);

/**
 * vas_owner_mm() - The address space a vas maps guest memory onto
 * @vas: The vas
 *
 * For binders that must belong to the same process as the vas (KVM).
 *
 * Return: The owner's mm; it stays allocated while @vas is referenced, but
 * compare it, do not use it.
 */
struct mm_struct *vas_owner_mm(struct vas *vas);

/**
 * vas_unbind() - End a binding
 * @binder: From vas_bind()
 *
 * When this returns, no op of @binder runs any more and its reference on
 * the vas is dropped.
 *
 * Context: Process context; may sleep. Not from within a binder op.
 */
void vas_unbind(struct vas_binder *binder);

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
void vas_mark_dirty(struct vas *vas, u64 gpa, u64 len);

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
			  void *data);

/**
 * vas_vmap_addr() - The kernel address of a vmap
 * @map: From vas_vmap()
 *
 * Return: The address of the first mapped byte, or NULL once the mapping
 * was invalidated.
 */
void *vas_vmap_addr(struct vas_vmap *map);

/**
 * vas_vunmap() - Release a vmap
 * @map: From vas_vmap(), valid or invalidated
 *
 * Context: Process context; not from @map's ->invalidate.
 */
void vas_vunmap(struct vas_vmap *map);

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
			    unsigned int flags);

/**
 * vas_sgmap_table() - The scatterlist of an sgmap
 * @map: From vas_sgmap()
 *
 * Return: The sg_table; its first entry starts at the offset of @gpa in
 * its page, and the entries add up to @len.
 */
struct sg_table *vas_sgmap_table(struct vas_sgmap *map);

/**
 * vas_sgunmap() - Release an sgmap
 * @map: From vas_sgmap()
 *
 * Context: Process context; may sleep.
 */
void vas_sgunmap(struct vas_sgmap *map);

/**
 * vas_gpc_init() - Initialize a gfn->pfn cache
 * @gpc: The cache, embedded wherever it is convenient
 * @vas: The vas it translates for; the caller keeps a reference
 */
void vas_gpc_init(struct vas_gpc *gpc, struct vas *vas);

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
		     unsigned int flags);

/**
 * vas_gpc_check() - Whether the cached address may be used
 * @gpc: The cache
 * @len: Bytes the caller will access from @gpa
 *
 * Context: With @gpc->lock held for read.
 * Return: True if @gpc->khva is valid for @len bytes until the lock is
 * dropped.
 */
bool vas_gpc_check(struct vas_gpc *gpc, unsigned long len);

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
int vas_gpc_refresh(struct vas_gpc *gpc, unsigned long len);

/**
 * vas_gpc_deactivate() - Stop caching and drop the page
 * @gpc: The cache
 *
 * Context: Process context; sleeps.
 */
void vas_gpc_deactivate(struct vas_gpc *gpc);

/**
 * vas_gpc_mark_dirty() - Log a write through the cache
 * @gpc: The cache
 *
 * Context: Any, typically under @gpc->lock.
 */
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
