/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xchg(), cmpxchg() and the atomic_long_t operations the vas sources use,
 * on top of tools/include, as compiler builtins.
 */
#ifndef __VAS_SHIM_ATOMIC_H
#define __VAS_SHIM_ATOMIC_H

#include_next <linux/atomic.h>

#undef xchg
#define xchg(ptr, v)	__atomic_exchange_n((ptr), (v), __ATOMIC_SEQ_CST)
#undef cmpxchg
#define cmpxchg(ptr, o, n) ({						\
	__typeof__(*(ptr)) __old = (o);					\
	__atomic_compare_exchange_n((ptr), &__old, (n), false,		\
				    __ATOMIC_SEQ_CST,			\
				    __ATOMIC_SEQ_CST);			\
	__old;								\
})

static inline long atomic_long_read(const atomic_long_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_long_or(long i, atomic_long_t *v)
{
	__atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline void atomic_long_andnot(long i, atomic_long_t *v)
{
	__atomic_fetch_and(&v->counter, ~i, __ATOMIC_SEQ_CST);
}

static inline void atomic_long_and(long i, atomic_long_t *v)
{
	__atomic_fetch_and(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline long atomic_long_xchg(atomic_long_t *v, long i)
{
	return __atomic_exchange_n(&v->counter, i, __ATOMIC_SEQ_CST);
}

#endif /* __VAS_SHIM_ATOMIC_H */
