// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel services the shim headers declare: the allocator (counting,
 * with injected failures), a small xarray, single-threaded SRCU with a
 * hook for a racing reader, user copies limited to one window, and the
 * failure report.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "harness.h"

void vas_shim_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("vas-fuzz: FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---------------------------------------------------------------- memory */

long vas_shim_live;
long vas_shim_fail_nth;
long vas_shim_failed;

void *vas_shim_alloc(size_t size, gfp_t flags)
{
	void *p;

	if (vas_shim_fail_nth && !--vas_shim_fail_nth) {
		vas_shim_failed++;
		return NULL;
	}
	if (size > VAS_SHIM_ALLOC_MAX) {
		vas_shim_failed++;
		return NULL;
	}
	/* Never a zero-size allocation: keep pointers distinct */
	p = flags & __GFP_ZERO ? calloc(1, size ?: 1) : malloc(size ?: 1);
	if (!p)
		vas_shim_fail("out of memory");
	if (!(flags & __GFP_ZERO))
		memset(p, 0xa5, size);
	vas_shim_live++;
	return p;
}

void vas_shim_free(const void *p)
{
	if (!p)
		return;
	if (vas_shim_live <= 0)
		vas_shim_fail("free without allocation");
	vas_shim_live--;
	free((void *)p);
}

/* ---------------------------------------------------------------- xarray */

void xa_init(struct xarray *xa)
{
	memset(xa, 0, sizeof(*xa));
}

void xa_destroy(struct xarray *xa)
{
	free(xa->slots);
	memset(xa, 0, sizeof(*xa));
}

bool xa_empty(const struct xarray *xa)
{
	return !xa->nr;
}

/* Position of @index, or of where it would go */
static unsigned int xa_pos(const struct xarray *xa, unsigned long index)
{
	unsigned int lo = 0, hi = xa->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (xa->slots[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct xa_slot *xa_slot(struct xarray *xa, unsigned long index)
{
	unsigned int pos = xa_pos(xa, index);

	if (pos < xa->nr && xa->slots[pos].index == index)
		return &xa->slots[pos];
	return NULL;
}

/* Adds @index, reserved; the allocation an xarray node would need */
static struct xa_slot *xa_add(struct xarray *xa, unsigned long index,
			      gfp_t gfp)
{
	unsigned int pos = xa_pos(xa, index);
	void *node = vas_shim_alloc(1, gfp);

	if (!node)
		return NULL;
	vas_shim_free(node);
	if (xa->nr == xa->cap) {
		xa->cap = xa->cap ? 2 * xa->cap : 8;
		xa->slots = realloc(xa->slots, xa->cap * sizeof(*xa->slots));
		if (!xa->slots)
			vas_shim_fail("out of memory");
	}
	memmove(&xa->slots[pos + 1], &xa->slots[pos],
		(xa->nr - pos) * sizeof(*xa->slots));
	xa->nr++;
	xa->slots[pos].index = index;
	xa->slots[pos].entry = NULL;
	return &xa->slots[pos];
}

static void xa_remove(struct xarray *xa, struct xa_slot *slot)
{
	unsigned int pos = slot - xa->slots;

	memmove(&xa->slots[pos], &xa->slots[pos + 1],
		(xa->nr - pos - 1) * sizeof(*xa->slots));
	xa->nr--;
}

void *xa_load(struct xarray *xa, unsigned long index)
{
	struct xa_slot *slot = xa_slot(xa, index);

	return slot ? slot->entry : NULL;
}

void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	struct xa_slot *slot = xa_slot(xa, index);
	void *old;

	if (!entry)
		return xa_erase(xa, index);
	if (!slot)
		slot = xa_add(xa, index, gfp);
	if (!slot)
		return XA_ERROR(-ENOMEM);
	old = slot->entry;
	slot->entry = entry;
	return old;
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
	struct xa_slot *slot = xa_slot(xa, index);
	void *old;

	if (!slot)
		return NULL;
	old = slot->entry;
	xa_remove(xa, slot);
	return old;
}

int xa_reserve(struct xarray *xa, unsigned long index, gfp_t gfp)
{
	if (xa_slot(xa, index))
		return 0;
	return xa_add(xa, index, gfp) ? 0 : -ENOMEM;
}

void xa_release(struct xarray *xa, unsigned long index)
{
	struct xa_slot *slot = xa_slot(xa, index);

	if (slot && !slot->entry)
		xa_remove(xa, slot);
}

void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max,
	      unsigned int filter)
{
	unsigned int pos;

	for (pos = xa_pos(xa, *index); pos < xa->nr; pos++) {
		if (xa->slots[pos].index > max)
			break;
		if (xa->slots[pos].entry) {
			*index = xa->slots[pos].index;
			return xa->slots[pos].entry;
		}
	}
	return NULL;
}

void *xa_find_after(struct xarray *xa, unsigned long *index,
		    unsigned long max, unsigned int filter)
{
	unsigned long next = *index + 1;
	void *entry;

	if (!next)
		return NULL;
	entry = xa_find(xa, &next, max, filter);
	if (entry)
		*index = next;
	return entry;
}

/* ---------------------------------------------------------------- SRCU */

void (*vas_shim_gp_hook)(struct srcu_struct *ssp);

int init_srcu_struct(struct srcu_struct *ssp)
{
	memset(ssp, 0, sizeof(*ssp));
	return 0;
}

void cleanup_srcu_struct(struct srcu_struct *ssp)
{
	if (ssp->readers || ssp->callbacks)
		vas_shim_fail("%s() with readers or callbacks", __func__);
}

static void srcu_run(struct rcu_head *head)
{
	struct rcu_head *next;

	for (; head; head = next) {
		next = head->next;
		head->func(head);
	}
}

void synchronize_srcu(struct srcu_struct *ssp)
{
	struct rcu_head *done = ssp->callbacks;

	if (ssp->readers)
		vas_shim_fail("grace period inside an SRCU read-side section");
	/* The callbacks queued so far run once the grace period is over. */
	ssp->callbacks = NULL;
	if (vas_shim_gp_hook)
		vas_shim_gp_hook(ssp);
	srcu_run(done);
}

void call_srcu(struct srcu_struct *ssp, struct rcu_head *head,
	       void (*func)(struct rcu_head *head))
{
	head->func = func;
	head->next = ssp->callbacks;
	ssp->callbacks = head;
}

void srcu_barrier(struct srcu_struct *ssp)
{
	while (ssp->callbacks) {
		struct rcu_head *done = ssp->callbacks;

		ssp->callbacks = NULL;
		srcu_run(done);
	}
}

/* ---------------------------------------------------------------- user */

static char *user_base;
static size_t user_len;

void vas_shim_user_window(void *base, size_t len)
{
	user_base = base;
	user_len = len;
}

unsigned long vas_shim_copy(void *to, const void *from, unsigned long n,
			    bool to_user)
{
	const char *user = to_user ? to : from;
	unsigned long ok = 0, left;

	if (user_base && user >= user_base && user <= user_base + user_len) {
		left = user_base + user_len - user;
		ok = min(n, left);
	}
	if (ok)
		memcpy(to, from, ok);
	return n - ok;
}
