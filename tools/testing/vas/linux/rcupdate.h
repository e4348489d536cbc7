/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RCU pointer accessors as plain accesses, struct rcu_head, and
 * RCU_LOCKDEP_WARN() that aborts.
 */
#ifndef __VAS_SHIM_RCUPDATE_H
#define __VAS_SHIM_RCUPDATE_H

#include <linux/compiler.h>

void __noreturn __printf(1, 2) vas_shim_fail(const char *fmt, ...);

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#define rcu_dereference_raw(p)		READ_ONCE(p)
#define rcu_dereference(p)		READ_ONCE(p)
#define rcu_assign_pointer(p, v)	WRITE_ONCE(p, v)
#define RCU_INIT_POINTER(p, v)		WRITE_ONCE(p, v)
#define rcu_read_lock()			do { } while (0)
#define rcu_read_unlock()		do { } while (0)

#define RCU_LOCKDEP_WARN(c, s)						\
	do {								\
		if (c)							\
			vas_shim_fail("%s", s);				\
	} while (0)

#endif /* __VAS_SHIM_RCUPDATE_H */
