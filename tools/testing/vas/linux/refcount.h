/* SPDX-License-Identifier: GPL-2.0-only */
/* A plain counter: the harness has one thread */
#ifndef __VAS_SHIM_REFCOUNT_H
#define __VAS_SHIM_REFCOUNT_H

typedef struct {
	int refs;
} refcount_t;

#define refcount_set(r, n)		((r)->refs = (n))
#define refcount_read(r)		((r)->refs)
#define refcount_inc(r)			((r)->refs++)
#define refcount_dec_and_test(r)	(--(r)->refs == 0)

#endif /* __VAS_SHIM_REFCOUNT_H */
