/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A mutex for one thread: taking it twice or releasing it unheld aborts,
 * and lockdep_is_held() tells whether it is held.
 */
#ifndef __VAS_SHIM_MUTEX_H
#define __VAS_SHIM_MUTEX_H

#include <linux/compiler.h>
#include <linux/types.h>

void __noreturn __printf(1, 2) vas_shim_fail(const char *fmt, ...);

struct mutex {
	int held;
};

#define mutex_init(m)		((m)->held = 0)
#define mutex_destroy(m)	do { } while (0)
#define mutex_is_locked(m)	((m)->held != 0)
#define lockdep_is_held(m)	mutex_is_locked(m)
#define lockdep_assert_held(m)						\
	do {								\
		if (!mutex_is_locked(m))				\
			vas_shim_fail("%s: lock not held", __func__);	\
	} while (0)

static inline void mutex_lock(struct mutex *m)
{
	if (m->held)
		vas_shim_fail("%s(): already held", __func__);
	m->held = 1;
}

static inline void mutex_unlock(struct mutex *m)
{
	if (!m->held)
		vas_shim_fail("%s(): not held", __func__);
	m->held = 0;
}

#define mutex_lock_interruptible(m)	(mutex_lock(m), 0)
#define mutex_lock_killable(m)		(mutex_lock(m), 0)

#endif /* __VAS_SHIM_MUTEX_H */
