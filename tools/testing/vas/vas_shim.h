/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a kernel file of virt/vas/ gets without including it: Kconfig
 * symbols, compiler helpers, WARN and BUG, exports, atomics, barriers and
 * current.
 * Force-included (-include) before every file of the harness. The shim
 * headers of linux/ next to this file stand in for the kernel headers the
 * vas sources include; tools/include provides the rest.
 *
 * Everything is single-threaded: atomics are plain compiler builtins, and
 * a WARN or BUG aborts, so that the fuzzer reports it as a crash.
 */
#ifndef __VAS_SHIM_H
#define __VAS_SHIM_H

#include <stdio.h>
#include <stdint.h>

#include <linux/kconfig.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/atomic.h>
#include <linux/overflow.h>

void __noreturn __printf(1, 2) vas_shim_fail(const char *fmt, ...);

#undef WARN_ON
#define WARN_ON(cond) ({						\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		vas_shim_fail("WARN_ON(%s) at %s:%d", #cond,		\
			      __FILE__, __LINE__);			\
	unlikely(__c);							\
})
#undef WARN_ON_ONCE
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#undef WARN
#define WARN(cond, fmt...)	WARN_ON(cond)
#undef WARN_ONCE
#define WARN_ONCE(cond, fmt...)	WARN_ON(cond)
#undef BUG_ON
#define BUG_ON(cond)		((void)WARN_ON(cond))
#undef BUG
#define BUG()			vas_shim_fail("BUG at %s:%d", __FILE__, __LINE__)

#ifndef EXPORT_SYMBOL_NS_GPL
#define EXPORT_SYMBOL_NS_GPL(sym, ns)
#endif
#ifndef EXPORT_SYMBOL_NS
#define EXPORT_SYMBOL_NS(sym, ns)
#endif

#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif
#ifndef U32_MAX
#define U32_MAX		((u32)~0U)
#endif

/* The calling task: the harness switches between the owner and another */
struct mm_struct;
struct task_struct {
	struct mm_struct *mm;
};

extern struct task_struct *vas_shim_current;
#define current			vas_shim_current

#define u64_to_user_ptr(x)	((void __user *)(uintptr_t)(u64)(x))

#define might_sleep()		do { } while (0)
#define cond_resched()		do { } while (0)

/* Barriers as C11 fences: the harness has one thread, but keep them true */
#undef smp_wmb
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#undef smp_rmb
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#undef smp_mb
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

/*
 * The kernel's min() and max() accept operands of different unsigned
 * types; the tools/include ones do not.
 */
#undef min
#define min(x, y) ({							\
	__typeof__(x) __x = (x);					\
	__typeof__(y) __y = (y);					\
	__x < __y ? __x : __y;						\
})
#undef max
#define max(x, y) ({							\
	__typeof__(x) __x = (x);					\
	__typeof__(y) __y = (y);					\
	__x > __y ? __x : __y;						\
})

#ifndef pr_err
#define pr_err(fmt, ...)	fprintf(stderr, fmt, ##__VA_ARGS__)
#endif
#ifndef pr_warn
#define pr_warn(fmt, ...)	fprintf(stderr, fmt, ##__VA_ARGS__)
#endif
#ifndef pr_info
#define pr_info(fmt, ...)	do { } while (0)
#endif
#ifndef pr_debug
#define pr_debug(fmt, ...)	do { } while (0)
#endif

#endif /* __VAS_SHIM_H */
