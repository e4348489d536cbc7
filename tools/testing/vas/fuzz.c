// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas-fuzz: the memslot table and the dirty log against a reference model
 *
 * An input is a sequence of operations: VAS_SET_MEMSLOT requests (create,
 * move, flags change, delete, and malformed ones) over a small universe of
 * ids, gfns and sizes so that overlaps are frequent, lookups, marking of
 * dirty ranges, VAS_GET_DIRTY_LOG and VAS_CLEAR_DIRTY_LOG. Operations may
 * come with a failed allocation, a binder veto, a "user" bitmap that ends
 * early, or a racing reader that looks memslots up during the grace period
 * of a change.
 *
 * The model is a list of memslots with a bitmap each. After every
 * operation the real state is compared with it as a whole: the xarray, both
 * copies of the latched tree (sorted, no overlap), lookups through the
 * tree and through the last-used hint, vas_memslot_first(), the generation
 * and every dirty log (read with VAS_DIRTY_LOG_KEEP). A request the model
 * refuses must fail with the same errno and change nothing; one that fails
 * an allocation must fail with -ENOMEM and change nothing. Any difference
 * aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rbtree.h>

#include "harness.h"

#define MAX_OPS		512
#define MODEL_SLOTS	16
#define CHUNK_WORDS	512	/* memslots around this many words of log */
#define LONG_BITS	(8 * sizeof(unsigned long))

#define check(cond, fmt, ...)						\
	do {								\
		if (!(cond))						\
			vas_shim_fail("op %d: " fmt, op_nr, ##__VA_ARGS__); \
	} while (0)

/* VAS_FUZZ_TRACE=1 in the environment prints every operation */
static bool tracing;
#define trace(fmt, ...)							\
	do {								\
		if (tracing)						\
			fprintf(stderr, "op %d: " fmt "\n", op_nr,	\
				##__VA_ARGS__);				\
	} while (0)

struct input {
	const u8 *data;
	size_t len;
	size_t pos;
};

struct mslot {
	bool used;
	u32 id;
	u64 base;
	u64 npages;
	u64 uaddr;
	u32 flags;
	unsigned long *bits;	/* the expected dirty log, if logging */
};

static struct vas *vas;
static struct mslot model[MODEL_SLOTS];
static u64 generation;
static int op_nr;

/* The racing reader of a change's grace period */
static bool gp_armed;
static struct vas_memslot *gp_old;
static struct mslot gp_next[MODEL_SLOTS];
static u8 gp_mode;
#define GP_HINT_FIRST	1	/* a reader found the old memslot earlier */
#define GP_HINT_LAST	2	/* ... and stores it in the hint late */

/* The binder that reports writes when the dirty log is read */
static u64 sync_gpa, sync_len;

/* ---------------------------------------------------------------- input */

static u8 in_u8(struct input *in)
{
	return in->pos < in->len ? in->data[in->pos++] : 0;
}

static u16 in_u16(struct input *in)
{
	return in_u8(in) | (u16)in_u8(in) << 8;
}

static u32 in_u32(struct input *in)
{
	return in_u16(in) | (u32)in_u16(in) << 16;
}

static u64 in_u64(struct input *in)
{
	return in_u32(in) | (u64)in_u32(in) << 32;
}

static u32 pick_id(struct input *in)
{
	static const u32 special[] = {
		8, 1000, VAS_MAX_MEMSLOTS - 1, VAS_MAX_MEMSLOTS,
		VAS_MAX_MEMSLOTS + 1, 1U << 31, U32_MAX, 9,
	};
	u8 b = in_u8(in);

	return b >= 0xe0 ? special[b & 7] : b & 7;
}

static u64 last_gfn(const struct mslot *s);

/* Next to a memslot boundary of the model, if there is a memslot */
static u64 pick_gfn_near(u16 v)
{
	struct mslot *s = &model[v % MODEL_SLOTS];
	u64 delta = (v >> 4 & 7) - 3;

	if (!s->used)
		return v % 160;
	return ((v & 0x80) ? last_gfn(s) + 1 : s->base) + delta;
}

static u64 pick_gfn(struct input *in)
{
	u16 v = in_u16(in);
	u64 top = (U64_MAX >> PAGE_SHIFT) - (v >> 3 & 0x3f);

	if (v >> 12 < 0xc)
		return v % 160;
	if (v >> 12 < 0xf)
		return pick_gfn_near(v);
	switch (v & 7) {
	case 0:
		return top;
	case 1:
		return top - VAS_MAX_MEMSLOT_PAGES;
	case 2:
		return 1ULL << 31;
	case 3:
		return (1ULL << 35) - (v >> 3 & 0x3f);
	default:
		return v & 0xfff;
	}
}

static u64 pick_npages(struct input *in)
{
	u8 b = in_u8(in);

	if (b < 0xc0)
		return 1 + b % 24;
	switch (b & 15) {
	case 0:
		return 0;
	case 1:
		return 63;
	case 2:
		return 64;
	case 3:
		return 65;
	case 4:
		return 128 + in_u8(in);
	case 5:
		return CHUNK_WORDS * LONG_BITS;
	case 6:
		return CHUNK_WORDS * LONG_BITS + 1 + in_u8(in);
	case 7:
		return 2 * CHUNK_WORDS * LONG_BITS + in_u16(in);
	case 8:
		return VAS_MAX_MEMSLOT_PAGES;
	case 9:
		return VAS_MAX_MEMSLOT_PAGES + 1;
	case 10:
		return 1ULL << 40;
	case 11:
		return U64_MAX >> PAGE_SHIFT;
	default:
		return 1 + in_u8(in);
	}
}

static u64 pick_uaddr(struct input *in, u64 size)
{
	u8 b = in_u8(in);

	if (b < 0xe0)
		return (u64)(b & 7) << 32;
	switch (b & 7) {
	case 0:
		return VAS_SHIM_TASK_SIZE_MAX - size;
	case 1:
		return VAS_SHIM_TASK_SIZE_MAX - size + PAGE_SIZE;
	case 2:
		return U64_MAX & PAGE_MASK;
	case 3:
		return 0x1000 + 8;
	default:
		return (u64)in_u16(in) << PAGE_SHIFT;
	}
}

/* A length for a range of bytes from @gpa */
static u64 pick_len(struct input *in, u64 gpa)
{
	u8 b = in_u8(in);

	switch (b >> 5) {
	case 0:
		return b & 1;
	case 1:
		return (b & 1) ? U64_MAX : U64_MAX - gpa + 1;
	case 2:
		return (u64)(b & 31) << PAGE_SHIFT;
	default:
		return ((u64)(b & 31) << PAGE_SHIFT) + in_u16(in) % 8192;
	}
}

/* ---------------------------------------------------------------- model */

static u64 last_gfn(const struct mslot *s)
{
	return s->base + s->npages - 1;
}

static struct mslot *model_find(struct mslot *m, u32 id)
{
	int i;

	for (i = 0; i < MODEL_SLOTS; i++)
		if (m[i].used && m[i].id == id)
			return &m[i];
	return NULL;
}

static int model_count(void)
{
	int i, n = 0;

	for (i = 0; i < MODEL_SLOTS; i++)
		n += model[i].used;
	return n;
}

/* The memslot with the lowest base overlapping [first, last], or NULL */
static struct mslot *model_first(struct mslot *m, u64 first, u64 last)
{
	struct mslot *best = NULL;
	int i;

	for (i = 0; i < MODEL_SLOTS; i++) {
		if (!m[i].used || m[i].base > last || last_gfn(&m[i]) < first)
			continue;
		if (!best || m[i].base < best->base)
			best = &m[i];
	}
	return best;
}

static unsigned long nwords(u64 nbits)
{
	return (nbits + LONG_BITS - 1) / LONG_BITS;
}

static void bits_set(unsigned long *bits, u64 from, u64 to)
{
	for (; from <= to; from++)
		bits[from / LONG_BITS] |= 1UL << (from % LONG_BITS);
}

/* Marks the pages of [gpa, gpa + len) in the logging memslots */
static void model_mark(u64 gpa, u64 len)
{
	u64 end, first, last, lo, hi;
	int i;

	if (!len)
		return;
	if (__builtin_add_overflow(gpa, len - 1, &end))
		end = U64_MAX;
	first = gpa >> PAGE_SHIFT;
	last = end >> PAGE_SHIFT;
	for (i = 0; i < MODEL_SLOTS; i++) {
		struct mslot *s = &model[i];

		if (!s->used || !s->bits)
			continue;
		lo = max(first, s->base);
		hi = min(last, last_gfn(s));
		if (lo <= hi)
			bits_set(s->bits, lo - s->base, hi - s->base);
	}
}

static void model_drop(struct mslot *s)
{
	free(s->bits);
	memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------- checks */

static void check_slot(struct vas_memslot *real, struct mslot *m,
		       const char *what, u64 key)
{
	check(!real == !m, "%s %#llx: got %s, expected %s", what,
	      (unsigned long long)key, real ? "a memslot" : "none",
	      m ? "a memslot" : "none");
	if (!real)
		return;
	check(real->id == m->id && real->base_gfn == m->base &&
	      real->npages == m->npages && real->userspace_addr == m->uaddr &&
	      real->flags == m->flags,
	      "%s %#llx: got memslot %u [%#llx +%#llx) flags %#x, expected %u [%#llx +%#llx) flags %#x",
	      what, (unsigned long long)key, real->id,
	      (unsigned long long)real->base_gfn,
	      (unsigned long long)real->npages, real->flags, m->id,
	      (unsigned long long)m->base, (unsigned long long)m->npages,
	      m->flags);
	check(!READ_ONCE(real->dead), "%s %#llx: got a dead memslot", what,
	      (unsigned long long)key);
}

/* Looks @gfn up against the layout @m, twice: the second may use the hint */
static void check_lookup(struct mslot *m, u64 gfn)
{
	struct mslot *expect = model_first(m, gfn, gfn);
	int idx = srcu_read_lock(&vas->srcu);

	check_slot(vas_memslot_lookup(vas, gfn), expect, "lookup", gfn);
	check_slot(vas_memslot_lookup(vas, gfn), expect, "hinted lookup", gfn);
	srcu_read_unlock(&vas->srcu, idx);
}

static void check_first(u64 first, u64 last)
{
	int idx = srcu_read_lock(&vas->srcu);

	check_slot(vas_memslot_first(vas, first, last),
		   model_first(model, first, last), "first from", first);
	srcu_read_unlock(&vas->srcu, idx);
}

/* Reads the dirty log of @id without clearing it */
static int peek_log(u32 id, unsigned long *buf, size_t words)
{
	struct vas_dirty_log log = {
		.size = sizeof(log),
		.flags = VAS_DIRTY_LOG_KEEP,
		.slot = id,
		.bitmap = (uintptr_t)buf,
	};
	struct vas_harness_calls calls = vas_harness_calls;
	int err;

	vas_shim_user_window(buf, words * sizeof(*buf));
	err = vas_ioctl_get_dirty_log(vas, &log);
	vas_shim_user_window(NULL, 0);
	vas_harness_calls = calls;
	return err;
}

static void check_log(struct mslot *s)
{
	unsigned long n = s->bits ? nwords(s->npages) : 1, *buf, i;
	int err;

	buf = calloc(n ?: 1, sizeof(*buf));
	if (!buf)
		abort();
	err = peek_log(s->id, buf, n);
	if (!s->bits) {
		check(err == -ENOENT, "memslot %u does not log: read gave %d",
		      s->id, err);
	} else {
		check(!err, "memslot %u: dirty log read failed: %d", s->id,
		      err);
		for (i = 0; i < n; i++)
			check(buf[i] == s->bits[i],
			      "memslot %u: dirty word %lu is %#lx, expected %#lx",
			      s->id, i, buf[i], s->bits[i]);
	}
	free(buf);
}

/* In-order walk of copy @t of the latched tree: sorted, no overlaps */
static void check_tree(int t)
{
	struct rb_node *node;
	struct vas_memslot *slot, *prev = NULL;
	int n = 0;

	for (node = rb_first(&vas->gfn_tree.tree[t]); node;
	     node = rb_next(node)) {
		slot = container_of(node, struct vas_memslot, gfn_node.node[t]);
		check_slot(slot, model_find(model, slot->id), "tree memslot",
			   slot->id);
		check(!prev || prev->base_gfn + prev->npages - 1 <
		      slot->base_gfn, "tree %d: memslots %u and %u overlap",
		      t, prev->id, slot->id);
		prev = slot;
		n++;
	}
	check(n == model_count(), "tree %d holds %d memslots, expected %d",
	      t, n, model_count());
}

static void check_state(void)
{
	struct vas_memslot *slot, *hint;
	unsigned long id;
	int i, n = 0;

	check(!mutex_is_locked(&vas->slots_lock), "slots_lock left held");
	check(!vas->srcu.readers, "SRCU read-side section left open");
	check(vas->generation == generation,
	      "generation %llu, expected %llu",
	      (unsigned long long)vas->generation,
	      (unsigned long long)generation);

	xa_for_each(&vas->slots, id, slot) {
		check(slot->id == id, "memslot %u stored at id %lu",
		      slot->id, id);
		check_slot(slot, model_find(model, id), "id", id);
		n++;
	}
	check(n == model_count(), "%d memslots, expected %d", n,
	      model_count());
	check_tree(0);
	check_tree(1);

	hint = READ_ONCE(vas->last_used_slot);
	check(!hint || xa_load(&vas->slots, hint->id) == hint,
	      "last_used_slot is not a live memslot");

	for (i = 0; i < MODEL_SLOTS; i++) {
		struct mslot *s = &model[i];

		if (!s->used)
			continue;
		if (s->base)
			check_lookup(model, s->base - 1);
		check_lookup(model, s->base);
		check_lookup(model, last_gfn(s));
		if (last_gfn(s) != U64_MAX)
			check_lookup(model, last_gfn(s) + 1);
		check_first(s->base, last_gfn(s));
		if (s->base)
			check_first(s->base - 1, s->base);
		check_log(s);
	}
	check_first(0, U64_MAX);
}

/* ---------------------------------------------------------------- hooks */

/*
 * A reader racing with a memslot change, between its publication and the
 * end of the grace period: the old memslot is dead and unpublished, the new
 * layout is in place, and the hint may still name the old memslot.
 */
static void gp_reader(struct srcu_struct *ssp)
{
	struct mslot *s;
	int i;

	if (!gp_armed)
		return;
	gp_armed = false;
	check(vas->generation == generation + 1,
	      "grace period before the generation was bumped");
	if (gp_old) {
		check(READ_ONCE(gp_old->dead),
		      "old memslot not dead in the grace period");
		if (gp_mode & GP_HINT_FIRST)
			WRITE_ONCE(vas->last_used_slot, gp_old);
		check_lookup(gp_next, gp_old->base_gfn);
		check_lookup(gp_next,
			     gp_old->base_gfn + gp_old->npages - 1);
	}
	for (i = 0; i < MODEL_SLOTS; i++) {
		s = &gp_next[i];
		if (s->used) {
			check_lookup(gp_next, s->base);
			check_lookup(gp_next, last_gfn(s));
		}
	}
	if (gp_old && (gp_mode & GP_HINT_LAST))
		WRITE_ONCE(vas->last_used_slot, gp_old);
}

/* A binder reporting its writes while the dirty log is read */
static void sync_reporter(struct vas *v, u32 slot)
{
	if (!sync_len)
		return;
	vas_mark_dirty(v, sync_gpa, sync_len);
	model_mark(sync_gpa, sync_len);
}

/* ---------------------------------------------------------------- ops */

static void arm_failures(struct input *in)
{
	u8 b = in_u8(in);

	vas_shim_fail_nth = (b & 7) == 7 ? 1 + (b >> 3 & 3) : 0;
	vas_harness_veto = 0;
	if ((b >> 5) == 7)
		vas_harness_veto = (b & 0x10) ? -EBUSY : -EPERM;
	vas_shim_failed = 0;
	memset(&vas_harness_calls, 0, sizeof(vas_harness_calls));
}

static void check_desc(const struct vas_memslot_desc *d, u64 gpa, u64 size,
		       u64 uaddr, u32 flags, const char *what)
{
	check(d->guest_phys_addr == gpa && d->size == size &&
	      d->userspace_addr == uaddr && d->flags == flags,
	      "binders told %s [%#llx +%#llx) at %#lx flags %#x, expected [%#llx +%#llx) at %#llx flags %#x",
	      what, (unsigned long long)d->guest_phys_addr,
	      (unsigned long long)d->size, d->userspace_addr, d->flags,
	      (unsigned long long)gpa, (unsigned long long)size,
	      (unsigned long long)uaddr, flags);
}

static void check_change(const struct vas_memslot_change *c,
			 enum vas_memslot_change_kind kind,
			 const struct vas_set_memslot *req,
			 const struct mslot *old)
{
	check(c->kind == kind && c->slot == req->slot,
	      "binders told change %d of memslot %u, expected %d of %u",
	      c->kind, c->slot, kind, req->slot);
	if (old)
		check_desc(&c->old, old->base << PAGE_SHIFT,
			   old->npages << PAGE_SHIFT, old->uaddr, old->flags,
			   "old");
	else
		check_desc(&c->old, 0, 0, 0, 0, "old");
	if (kind == VAS_MEMSLOT_DELETE)
		check_desc(&c->new, 0, 0, 0, 0, "new");
	else
		check_desc(&c->new, req->guest_phys_addr, req->memory_size,
			   req->userspace_addr, req->flags, "new");
}

/*
 * What VAS_SET_MEMSLOT should do with @req: a negative errno, 1 for
 * nothing to do, or 0 with @kind set.
 */
static int model_set(const struct vas_set_memslot *req, struct mslot *old,
		     enum vas_memslot_change_kind *kind)
{
	u64 npages = req->memory_size >> PAGE_SHIFT;
	u64 base = req->guest_phys_addr >> PAGE_SHIFT, end;
	int i;

	if (req->flags & ~VAS_MEM_FLAGS_VALID || req->__reserved ||
	    req->slot >= VAS_MAX_MEMSLOTS)
		return -EINVAL;
	if ((req->guest_phys_addr | req->memory_size | req->userspace_addr) &
	    (PAGE_SIZE - 1))
		return -EINVAL;
	if (npages) {
		if (npages > VAS_MAX_MEMSLOT_PAGES ||
		    __builtin_add_overflow(req->guest_phys_addr,
					   req->memory_size, &end) ||
		    __builtin_add_overflow(req->userspace_addr,
					   req->memory_size, &end) ||
		    end > VAS_SHIM_TASK_SIZE_MAX)
			return -EINVAL;
	}
	if (!npages) {
		*kind = VAS_MEMSLOT_DELETE;
		return old ? 0 : -ENOENT;
	}
	if (old) {
		if (npages != old->npages || req->userspace_addr != old->uaddr)
			return -EINVAL;
		if (base == old->base && req->flags == old->flags)
			return 1;
		*kind = base == old->base ? VAS_MEMSLOT_FLAGS_ONLY :
					    VAS_MEMSLOT_MOVE;
	} else {
		*kind = VAS_MEMSLOT_CREATE;
	}
	for (i = 0; i < MODEL_SLOTS; i++) {
		struct mslot *s = &model[i];

		if (s->used && s != old && s->base <= base + npages - 1 &&
		    last_gfn(s) >= base)
			return -EEXIST;
	}
	return 0;
}

/* Makes the model what a successful @req leaves, in @m */
static void model_apply(struct mslot *m, const struct vas_set_memslot *req,
			struct mslot *old, bool bits)
{
	struct mslot *s = old ? &m[old - model] : NULL;
	u64 npages = req->memory_size >> PAGE_SHIFT;
	bool log = req->flags & VAS_MEM_LOG_DIRTY_PAGES;

	if (!npages) {
		if (bits)
			model_drop(s);
		else
			s->used = false;
		return;
	}
	if (!s) {
		for (s = m; s->used; s++)
			;
		s->used = true;
		s->id = req->slot;
		s->npages = npages;
		s->uaddr = req->userspace_addr;
		s->bits = NULL;
	}
	s->base = req->guest_phys_addr >> PAGE_SHIFT;
	s->flags = req->flags;
	if (!bits)
		return;
	if (!log) {
		free(s->bits);
		s->bits = NULL;
	} else if (!s->bits) {
		s->bits = calloc(nwords(npages), sizeof(*s->bits));
		if (!s->bits)
			abort();
	}
}

static void op_set(struct input *in, int how)
{
	struct vas_set_memslot req = { .size = sizeof(req) };
	enum vas_memslot_change_kind kind = VAS_MEMSLOT_CREATE;
	struct mslot *old;
	bool revokes;
	u8 mess, b;
	int expect, err;

	req.slot = pick_id(in);
	old = model_find(model, req.slot);
	b = in_u8(in);
	req.flags = b & 3;
	req.guest_phys_addr = pick_gfn(in) << PAGE_SHIFT;
	if (how == 1 && old) {
		/* a move, often a short one, or a flags change */
		if (b & 0x20)
			req.guest_phys_addr = (old->base + (b >> 6) - 2) <<
					      PAGE_SHIFT;
		req.memory_size = old->npages << PAGE_SHIFT;
		req.userspace_addr = old->uaddr;
	} else if (how == 2) {
		/* a delete */
		req.guest_phys_addr = 0;
	} else {
		req.memory_size = pick_npages(in) << PAGE_SHIFT;
		req.userspace_addr = pick_uaddr(in, req.memory_size);
	}
	mess = in_u8(in);
	switch (mess) {
	case 1:
		req.__reserved = 1;
		break;
	case 2:
		req.guest_phys_addr |= 0x800;
		break;
	case 3:
		req.memory_size += 8;
		break;
	case 4:
		req.userspace_addr |= 0x10;
		break;
	case 5:
		req.flags |= 1U << (2 + (b >> 2 & 15));
		break;
	}
	arm_failures(in);

	expect = model_set(&req, old, &kind);
	if (!expect) {
		memcpy(gp_next, model, sizeof(model));
		model_apply(gp_next, &req, old, false);
		gp_old = old ? xa_load(&vas->slots, req.slot) : NULL;
		gp_mode = b >> 2 & 3;
		gp_armed = true;
		/* Let the hint name the old memslot before the change. */
		if (old && (b & 0x10))
			check_lookup(model, old->base);
	}

	err = vas_memslots_set(vas, &req);
	trace("set memslot %u flags %#x gpa %#llx size %#llx uaddr %#llx: %d",
	      req.slot, req.flags, (unsigned long long)req.guest_phys_addr,
	      (unsigned long long)req.memory_size,
	      (unsigned long long)req.userspace_addr, err);

	gp_armed = false;
	vas_shim_fail_nth = 0;
	if (vas_shim_failed) {
		check(err == -ENOMEM, "allocation failed, but returned %d",
		      err);
		check(!vas_harness_calls.commit, "failed change committed");
		return;
	}
	if (expect) {
		expect = expect > 0 ? 0 : expect;
		check(err == expect, "set memslot %u: returned %d, expected %d",
		      req.slot, err, expect);
		check(!vas_harness_calls.prepare && !vas_harness_calls.commit,
		      "binders told of a change that is none");
		return;
	}
	check(vas_harness_calls.prepare == 1, "binders asked %d times",
	      vas_harness_calls.prepare);
	check_change(&vas_harness_calls.prepared, kind, &req, old);
	if (vas_harness_veto) {
		check(err == vas_harness_veto,
		      "vetoed change returned %d, expected %d", err,
		      vas_harness_veto);
		check(!vas_harness_calls.commit, "vetoed change committed");
		return;
	}
	check(!err, "set memslot %u: returned %d, expected success",
	      req.slot, err);
	check(vas_harness_calls.commit == 1, "binders committed %d times",
	      vas_harness_calls.commit);
	check_change(&vas_harness_calls.committed, kind, &req, old);
	/* what a change takes away is invalidated once, vmaps and binders */
	revokes = kind == VAS_MEMSLOT_DELETE || kind == VAS_MEMSLOT_MOVE ||
		  (kind == VAS_MEMSLOT_FLAGS_ONLY &&
		   ~old->flags & req.flags & VAS_MEM_READONLY);
	check(vas_harness_calls.invalidate == revokes &&
	      vas_harness_calls.vmaps_invalidate == revokes,
	      "change %d: binders invalidated %d times, vmaps %d, expected %d",
	      kind, vas_harness_calls.invalidate,
	      vas_harness_calls.vmaps_invalidate, revokes);
	check(!vas->retiring, "a memslot is still retiring after the change");
	model_apply(model, &req, old, true);
	generation++;
}

static void op_lookup(struct input *in)
{
	u64 gfn = pick_gfn(in), first, last;
	struct mslot *hint = model_find(model, pick_id(in));
	u8 b = in_u8(in);

	/* Any live memslot may be the hint */
	if (hint && (b & 1))
		WRITE_ONCE(vas->last_used_slot, xa_load(&vas->slots, hint->id));
	check_lookup(model, gfn);

	first = pick_gfn(in);
	if (b & 2)
		last = U64_MAX;
	else if (__builtin_add_overflow(first, (u64)in_u8(in), &last))
		last = U64_MAX;
	check_first(first, last);
}

static void op_mark(struct input *in)
{
	u64 gpa = pick_gfn(in) << PAGE_SHIFT, len;

	if (in_u8(in) & 1)
		gpa |= in_u16(in) & (PAGE_SIZE - 1);
	len = pick_len(in, gpa);
	trace("mark dirty [%#llx +%#llx)", (unsigned long long)gpa,
	      (unsigned long long)len);
	vas_mark_dirty(vas, gpa, len);
	model_mark(gpa, len);
}

/* vas_memslot_mark_dirty() on a range inside one memslot */
static void op_mark_slot(struct input *in)
{
	struct mslot *s = model_find(model, pick_id(in));
	u64 off, room, len;
	int idx;

	if (!s)
		return;
	off = (in_u32(in) % s->npages) << PAGE_SHIFT | in_u16(in) % PAGE_SIZE;
	room = (s->npages << PAGE_SHIFT) - off;
	len = in_u32(in) % (room + 1);
	trace("mark dirty in memslot %u [%#llx +%#llx)", s->id,
	      (unsigned long long)off, (unsigned long long)len);
	idx = srcu_read_lock(&vas->srcu);
	vas_memslot_mark_dirty(xa_load(&vas->slots, s->id),
			       (s->base << PAGE_SHIFT) + off, len);
	srcu_read_unlock(&vas->srcu, idx);
	model_mark((s->base << PAGE_SHIFT) + off, len);
}

/* Bytes of "user" bitmap the ioctl may touch, of @words */
static size_t pick_window(struct input *in, unsigned long words)
{
	u8 b = in_u8(in);

	if (b < 0xe0 || !words)
		return words * sizeof(long);
	switch (b & 3) {
	case 0:
		return 0;
	case 1:
		return (words - 1) * sizeof(long) + (b >> 2 & 7);
	case 2:
		return min(words, (unsigned long)(b >> 2 & 7) * 64) *
		       sizeof(long);
	default:
		return min(words * sizeof(long), (size_t)in_u16(in));
	}
}

/* Whether the caller of the next dirty log ioctl is the owner */
static void pick_caller(bool owner)
{
	vas_harness_owner(vas, owner);
}

/* The dirty log of memslot @s as the kernel has it, read with KEEP */
static unsigned long *real_bits(struct mslot *s)
{
	unsigned long n = nwords(s->npages), *buf;
	int err;

	buf = calloc(n ?: 1, sizeof(*buf));
	if (!buf)
		abort();
	err = peek_log(s->id, buf, n);
	check(!err, "memslot %u: dirty log read failed: %d", s->id, err);
	return buf;
}

/*
 * After a VAS_GET_DIRTY_LOG that failed with -EFAULT, the words reported
 * before the failure are cleared and the others are kept: the cleared
 * words are a prefix, inside the window. How many words the ioctl copies
 * per step is its own business.
 */
static void adopt_get_fault(struct mslot *s, unsigned long *seen,
			    unsigned long limit)
{
	unsigned long *real = real_bits(s), n = nwords(s->npages), w;
	bool kept = false;

	for (w = 0; w < n; w++) {
		if (!seen[w])
			continue;
		if (real[w] == seen[w]) {
			kept = true;
			continue;
		}
		check(!real[w] && !kept && w < limit,
		      "get dirty log of %u failed: word %lu is %#lx, read %#lx",
		      s->id, w, real[w], seen[w]);
	}
	memcpy(s->bits, real, n * sizeof(*real));
	free(real);
}

static void op_get(struct input *in)
{
	struct vas_dirty_log log = { .size = sizeof(log) };
	unsigned long words = 1, *buf, *seen = NULL, i, limit;
	struct mslot *s;
	bool keep, owner;
	int want, err;
	size_t window;
	u8 b, mess;

	log.slot = pick_id(in);
	b = in_u8(in);
	log.flags = b & VAS_DIRTY_LOG_KEEP;
	keep = log.flags;
	owner = !(b & 0x80) || (b & 0x40);
	mess = in_u8(in);
	if (mess == 1)
		log.flags |= 2;
	else if (mess == 2)
		log.__reserved = 1;
	else if (mess == 3)
		log.first_page = 64;
	else if (mess == 4)
		log.num_pages = 1;
	sync_len = 0;
	if (b & 2) {
		sync_gpa = pick_gfn(in) << PAGE_SHIFT;
		sync_len = pick_len(in, sync_gpa);
	}
	s = model_find(model, log.slot);
	if (s && s->bits)
		words = nwords(s->npages);
	window = pick_window(in, words);
	buf = calloc(words, sizeof(*buf));
	if (!buf)
		abort();
	log.bitmap = (uintptr_t)buf;
	arm_failures(in);

	pick_caller(owner);
	vas_shim_user_window(buf, window);
	err = vas_ioctl_get_dirty_log(vas, &log);
	vas_shim_user_window(NULL, 0);
	pick_caller(true);
	vas_shim_fail_nth = 0;
	sync_len = 0;
	trace("get dirty log of %u flags %#x window %zu%s: %d", log.slot,
	      log.flags, window, owner ? "" : " not owner", err);

	/* Any failed allocation fails the ioctl, after the field checks */
	if (log.flags & ~VAS_DIRTY_LOG_KEEP || log.__reserved ||
	    log.first_page || log.num_pages ||
	    log.slot >= VAS_MAX_MEMSLOTS)
		want = -EINVAL;
	else if (!keep && !owner)
		want = -EPERM;
	else if (vas_shim_failed)
		want = -ENOMEM;
	else if (!s || !s->bits)
		want = -ENOENT;
	else if (window < words * sizeof(long))
		want = -EFAULT;
	else
		want = 0;
	if (want == 0 || want == -EFAULT) {
		check(vas_harness_calls.sync_dirty == 1 &&
		      vas_harness_calls.sync_slot == log.slot &&
		      vas_harness_calls.vmaps_sync_dirty == 1 &&
		      vas_harness_calls.sgmaps_sync_dirty == 1,
		      "binders, vmaps and sgmaps not asked for their writes");
		/* The log as it was read, with what the binder reported */
		seen = s->bits;
	} else if (want != -ENOMEM) {
		check(!vas_harness_calls.sync_dirty,
		      "binders asked for their writes to no dirty log");
	}
	check(err == want, "get dirty log of %u: returned %d, expected %d",
	      log.slot, err, want);
	if (seen) {
		limit = err ? window / sizeof(long) : words;
		for (i = 0; i < limit; i++)
			check(buf[i] == seen[i],
			      "get dirty log of %u: word %lu is %#lx, expected %#lx",
			      log.slot, i, buf[i], seen[i]);
		if (!keep && !err)
			memset(s->bits, 0, words * sizeof(*s->bits));
		else if (!keep)
			adopt_get_fault(s, seen, limit);
	}
	free(buf);
}

static u64 pick_first_page(struct input *in)
{
	u8 b = in_u8(in);

	switch (b >> 5) {
	case 0:
	case 1:
	case 2:
		return 0;
	case 3:
	case 4:
		return (u64)(b & 31) * 64;
	case 5:
		return (u64)in_u16(in) * 64;
	case 6:
		return 1 + (b & 31);
	default:
		return U64_MAX & ~63ULL;
	}
}

static u64 pick_num_pages(struct input *in, struct mslot *s, u64 first)
{
	u64 to_end = s && s->npages > first ? s->npages - first : 0;
	u8 b = in_u8(in);

	switch (b >> 4) {
	case 0:
	case 1:
	case 2:
	case 3:
		return to_end;
	case 4:
	case 5:
	case 6:
		return (u64)(b & 15) * 64;
	case 7:
		return to_end + 1;
	case 8:
		return to_end ? to_end - 1 : 0;
	case 9:
		return (u64)in_u16(in) * 64;
	case 10:
		return U64_MAX;
	default:
		return b & 15;
	}
}

/*
 * After a VAS_CLEAR_DIRTY_LOG that failed with -EFAULT, the words read
 * before the failure are cleared and the others untouched: the cleared
 * words are a prefix, inside the window.
 */
static void adopt_clear_fault(struct mslot *s, u64 first,
			      const unsigned long *buf, unsigned long words,
			      unsigned long limit)
{
	unsigned long *real = real_bits(s), w, m, cleared;
	bool kept = false;

	for (w = 0; w < words; w++) {
		m = s->bits[first + w];
		cleared = m & ~buf[w];
		if (cleared == m)
			check(real[first + w] == m,
			      "clear dirty log of %u failed: word %lu changed",
			      s->id, first + w);
		else if (real[first + w] == m)
			kept = true;
		else
			check(real[first + w] == cleared && !kept && w < limit,
			      "clear dirty log of %u failed: word %lu is %#lx",
			      s->id, first + w, real[first + w]);
		s->bits[first + w] = real[first + w];
	}
	free(real);
}

static void op_clear(struct input *in)
{
	struct vas_dirty_log log = { .size = sizeof(log) };
	unsigned long words = 0, *buf, i, first;
	bool fields_ok = true, owner;
	struct mslot *s;
	u64 end, seed;
	int want, err;
	size_t window;
	u8 mess;

	log.slot = pick_id(in);
	s = model_find(model, log.slot);
	log.first_page = pick_first_page(in);
	log.num_pages = pick_num_pages(in, s, log.first_page);
	mess = in_u8(in);
	owner = mess < 0xf0;
	if (mess == 1)
		log.flags = 1;
	else if (mess == 2)
		log.__reserved = 1;

	if (log.flags || log.__reserved || log.slot >= VAS_MAX_MEMSLOTS ||
	    log.first_page % 64 ||
	    __builtin_add_overflow(log.first_page, log.num_pages, &end))
		fields_ok = false;
	if (!fields_ok)
		want = -EINVAL;
	else if (!owner)
		want = -EPERM;
	else if (!s || !s->bits)
		want = -ENOENT;
	else if (end > s->npages ||
		 (log.num_pages % 64 && end != s->npages))
		want = -EINVAL;
	else
		want = 0;
	if (!want)
		words = nwords(log.num_pages);

	/* The bits to clear: runs of ones and zeroes, and noise */
	buf = calloc(words ?: 1, sizeof(*buf));
	if (!buf)
		abort();
	seed = in_u64(in) | 1;
	for (i = 0; i < words; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		buf[i] = (seed & 3) == 0 ? ~0UL : (seed & 3) == 1 ? 0 : seed;
	}
	window = pick_window(in, words);
	log.bitmap = (uintptr_t)buf;
	arm_failures(in);

	pick_caller(owner);
	vas_shim_user_window(buf, window);
	err = vas_ioctl_clear_dirty_log(vas, &log);
	vas_shim_user_window(NULL, 0);
	pick_caller(true);
	vas_shim_fail_nth = 0;
	trace("clear dirty log of %u [%#llx +%#llx) window %zu%s: %d",
	      log.slot, (unsigned long long)log.first_page,
	      (unsigned long long)log.num_pages, window,
	      owner ? "" : " not owner", err);

	if (fields_ok && owner && vas_shim_failed)
		want = -ENOMEM;
	if (!want && window < words * sizeof(long))
		want = -EFAULT;
	check(err == want, "clear dirty log of %u [%#llx +%#llx): returned %d, expected %d",
	      log.slot, (unsigned long long)log.first_page,
	      (unsigned long long)log.num_pages, err, want);
	first = log.first_page / LONG_BITS;
	if (err == 0) {
		for (i = 0; i < words; i++)
			s->bits[first + i] &= ~buf[i];
		/* Bits past the memslot do not exist. */
		if (s->npages % LONG_BITS)
			s->bits[nwords(s->npages) - 1] &=
				~0UL >> (LONG_BITS - s->npages % LONG_BITS);
	} else if (err == -EFAULT) {
		adopt_clear_fault(s, first, buf, words,
				  window / sizeof(long));
	}
	check(!vas_harness_calls.prepare && !vas_harness_calls.sync_dirty,
	      "clearing the dirty log called binders");
	free(buf);
}

/* ---------------------------------------------------------------- main */

static void reset(void)
{
	int i;

	for (i = 0; i < MODEL_SLOTS; i++)
		model_drop(&model[i]);
	generation = 0;
	gp_armed = false;
	sync_len = 0;
	vas_shim_fail_nth = 0;
	vas_harness_veto = 0;
	vas_shim_gp_hook = gp_reader;
	vas_harness_sync_hook = sync_reporter;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { .data = data, .len = size };
	long live = vas_shim_live;

	reset();
	tracing = getenv("VAS_FUZZ_TRACE");
	vas = vas_harness_create();
	for (op_nr = 0; op_nr < MAX_OPS && in.pos < in.len; op_nr++) {
		u8 op = in_u8(&in);

		switch (op % 10) {
		case 0:
		case 1:
			op_set(&in, 0);
			break;
		case 2:
			op_set(&in, 1);
			break;
		case 3:
			op_set(&in, 2);
			break;
		case 4:
			op_lookup(&in);
			break;
		case 5:
			op_mark(&in);
			break;
		case 6:
			op_mark_slot(&in);
			break;
		case 7:
			op_get(&in);
			break;
		case 8:
			op_clear(&in);
			break;
		default:
			op_set(&in, 1);
			break;
		}
		check_state();
	}
	vas_harness_destroy(vas);
	vas = NULL;
	check(vas_shim_live == live, "%ld allocations leaked",
	      vas_shim_live - live);
	reset();
	return 0;
}
